import { PROTOCOL_VERSION, checkClientVersion } from '../../src/rpc/client-version';
import { parseArgs, parseRequest } from '../../src/rpc/parse-request';
import { OPERATIONS } from '../../src/rpc/protocol';
import { encodeResponse } from '../../src/rpc/response';

function errorOf(line: string): string {
  const parsed = parseRequest(line);
  if (parsed.ok) throw new Error(`expected ${line} to be refused`);
  return parsed.error;
}

function argsError(operation: string, args: unknown): string {
  const parsed = parseArgs(operation, args);
  if (parsed.ok) throw new Error(`expected args ${JSON.stringify(args)} to be refused`);
  return parsed.error;
}

describe('parseRequest', () => {
  it('should accept a create request as bd sends it and keep the envelope fields', () => {
    const line = JSON.stringify({
      operation: 'create',
      args: { title: 'Fix it', issue_type: 'bug', priority: 1, labels: ['ui'], dependencies: ['blocks:bd-1', 'bd-2'] },
      actor: 'alice',
      request_id: 'r1',
      cwd: '/w',
      client_version: '0.1.0',
      expected_db: '/w/.beads/beads.db',
    });
    const parsed = parseRequest(line);
    expect(parsed).toEqual({
      ok: true,
      req: {
        operation: 'create',
        args: { title: 'Fix it', issue_type: 'bug', priority: 1, labels: ['ui'], dependencies: ['blocks:bd-1', 'bd-2'] },
        actor: 'alice',
        request_id: 'r1',
        cwd: '/w',
        client_version: '0.1.0',
        expected_db: '/w/.beads/beads.db',
      },
    });
  });

  it('should treat null or missing args as no args, as bd sends for ping', () => {
    expect(parseRequest('{"operation":"ping","args":null}')).toEqual({ ok: true, req: { operation: 'ping', args: {} } });
    expect(parseRequest('{"operation":"stats"}')).toEqual({ ok: true, req: { operation: 'stats', args: {} } });
  });

  it('should ignore envelope fields it does not know, such as bd\'s TCP token', () => {
    expect(parseRequest('{"operation":"ping","token":"t"}')).toEqual({ ok: true, req: { operation: 'ping', args: {} } });
  });

  it('should refuse a line that is not JSON, saying so', () => {
    expect(errorOf('{"operation": ping}')).toMatch(/^invalid request: not JSON \(.+\); send one JSON object per line$/);
  });

  it('should refuse JSON that is not a request object', () => {
    expect(errorOf('[1,2]')).toBe('invalid request: expected a JSON object {operation, args}, got [1,2]');
    expect(errorOf('{"args":{}}')).toBe('invalid request: operation: missing, expected an operation name (string)');
    expect(errorOf('{"operation":"ping","actor":5}')).toBe('invalid request: actor: expected a string, got 5');
  });

  it('should refuse an unknown operation, listing the known ones', () => {
    expect(errorOf('{"operation":"frobnicate","args":{}}')).toBe(
      `unknown operation "frobnicate"; known: ${OPERATIONS.join(', ')}`,
    );
  });

  it('should refuse a client of another protocol major before looking at the operation', () => {
    expect(errorOf('{"operation":"frobnicate","client_version":"1.0.0"}')).toMatch(
      /^incompatible client version 1\.0\.0: this daemon speaks protocol 0\.x/,
    );
  });
});

describe('parseArgs', () => {
  it('should name the field and the bad value', () => {
    expect(argsError('create', { title: 'x', priority: 'high' })).toBe(
      'invalid args for create: priority: expected an integer 0-4, got "high"',
    );
    expect(argsError('create', { title: 'x', priority: 7 })).toBe(
      'invalid args for create: priority: expected an integer 0-4, got 7',
    );
    expect(argsError('create', { title: 'x', estimated_minutes: 1.5 })).toBe(
      'invalid args for create: estimated_minutes: expected a whole number of minutes ≥ 0, got 1.5',
    );
  });

  it('should say which required field is missing', () => {
    expect(argsError('create', { description: 'no title' })).toBe(
      'invalid args for create: title: missing, expected a non-empty title',
    );
    expect(argsError('create', { title: '   ' })).toBe('invalid args for create: title: expected a non-empty title, got "   "');
  });

  it('should report every problem at once', () => {
    expect(argsError('comment_add', { id: 'bd-1', author: 3 })).toBe(
      'invalid args for comment_add: author: expected a non-empty author, got 3; text: missing, expected a non-empty text',
    );
  });

  it('should ignore fields bd-rx does not use and null values, as bd clients send them', () => {
    // create's args are bd's larger struct: its fields pass on to the operation (which honours
    // `parent` and refuses, by name, any it does not support); nulls are dropped.
    const parsed = parseArgs('create', { title: 'x', parent: 'bd-1', estimated_minutes: null });
    expect(parsed).toEqual({ ok: true, value: { title: 'x', parent: 'bd-1' } });
    expect(parseArgs('ping', { verbose: true })).toEqual({ ok: true, value: {} });
  });

  it('should validate statuses, issue types and labels strictly', () => {
    expect(argsError('update', { id: 'bd-1', status: 'done' })).toBe(
      'invalid args for update: status: expected one of open|in_progress|blocked|closed|deferred|pinned|tombstone|hooked, got "done"',
    );
    expect(argsError('list', { issue_type: 'story' })).toBe(
      'invalid args for list: issue_type: expected one of bug|feature|task|epic|chore, got "story"',
    );
    expect(argsError('update', { id: 'bd-1', add_labels: ['ok', ''] })).toBe(
      'invalid args for update: add_labels.1: expected a non-empty label, got ""',
    );
    expect(parseArgs('update', { id: 'bd-1', status: 'in_progress', set_labels: [] })).toEqual({
      ok: true,
      value: { id: 'bd-1', status: 'in_progress', set_labels: [] },
    });
  });

  it('should accept dependencies as "id" or "type:id" with a known type only', () => {
    expect(argsError('create', { title: 'x', dependencies: ['waits:bd-1'] })).toBe(
      'invalid args for create: dependencies.0: expected "id" or "type:id" (type: blocks|related|parent-child|discovered-from), got "waits:bd-1"',
    );
    expect(parseArgs('create', { title: 'x', dependencies: ['discovered-from:bd-9', 'bd-3.1'] }).ok).toBe(true);
  });

  it('should default dep_add\'s dep_type to blocks', () => {
    expect(parseArgs('dep_add', { from_id: 'bd-1', to_id: 'bd-2' })).toEqual({
      ok: true,
      value: { from_id: 'bd-1', to_id: 'bd-2', dep_type: 'blocks' },
    });
  });

  it('should want get_mutations\' since as Unix milliseconds', () => {
    expect(argsError('get_mutations', { since: '2025-01-01' })).toBe(
      'invalid args for get_mutations: since: expected a Unix time in milliseconds (integer ≥ 0), got "2025-01-01"',
    );
    expect(parseArgs('get_mutations', { since: 1_700_000_000_000 }).ok).toBe(true);
  });

  it('should refuse args that are not an object', () => {
    expect(argsError('show', 'bd-1')).toBe('invalid args for show: expected an object, got "bd-1"');
  });

  it('should validate each operation of a batch, naming its index', () => {
    expect(
      parseArgs('batch', {
        operations: [
          { operation: 'create', args: { title: 'a' } },
          { operation: 'close', args: { id: 'bd-1', reason: 'done' } },
        ],
      }),
    ).toEqual({
      ok: true,
      value: {
        operations: [
          { operation: 'create', args: { title: 'a' } },
          { operation: 'close', args: { id: 'bd-1', reason: 'done' } },
        ],
      },
    });
    expect(
      argsError('batch', {
        operations: [{ operation: 'create', args: { title: 'a' } }, { operation: 'create', args: { priority: 'x' } }],
      }),
    ).toBe(
      'invalid args for batch: operations.1: invalid args for create: title: missing, expected a non-empty title; ' +
        'priority: expected an integer 0-4, got "x"',
    );
  });

  it('should refuse a batch inside a batch, a stream in a batch, and an empty batch', () => {
    expect(argsError('batch', { operations: [{ operation: 'subscribe' }, { operation: 'batch', args: {} }] })).toBe(
      'invalid args for batch: operations.0.operation: subscribe cannot run inside a batch; ' +
        'operations.1.operation: batch cannot run inside a batch',
    );
    expect(argsError('batch', { operations: [] })).toBe('invalid args for batch: operations: expected at least one operation, got []');
    expect(argsError('batch', { operations: [{ operation: 'nope' }] })).toMatch(
      /^invalid args for batch: operations\.0: unknown operation "nope"; known: ping, /,
    );
  });
});

describe('checkClientVersion', () => {
  it('should serve a client of the same protocol or one that does not say', () => {
    expect(checkClientVersion(PROTOCOL_VERSION)).toBeUndefined();
    expect(checkClientVersion(undefined)).toBeUndefined();
  });

  it('should treat every 0.y as compatible, as bd\'s 0.x line does', () => {
    expect(checkClientVersion('0.24.2')).toBeUndefined();
    expect(checkClientVersion('v0.9.0-dev')).toBeUndefined();
  });

  it('should refuse another major with advice on which side to change', () => {
    expect(checkClientVersion('1.0.0')).toBe(
      'incompatible client version 1.0.0: this daemon speaks protocol 0.x (0.1.0); the daemon is older than ' +
        'the client: stop it (`bd-rx daemon stop`) so the newer bd-rx can start its own, or downgrade the client',
    );
  });

  it('should refuse a version that is not semver', () => {
    expect(checkClientVersion('dev')).toBe('invalid client_version "dev": expected a semantic version like 0.1.0');
  });
});

describe('encodeResponse', () => {
  it('should write bd\'s field names and omit absent data', () => {
    expect(encodeResponse({ success: true })).toBe('{"success":true}');
    expect(encodeResponse({ success: false, error: 'no' })).toBe('{"success":false,"error":"no"}');
  });

  it('should turn data JSON cannot carry into an error response', () => {
    expect(JSON.parse(encodeResponse({ success: true, data: { n: BigInt(1) } }))).toEqual({
      success: false,
      error: expect.stringMatching(/^the daemon could not encode its response: /),
    });
  });
});
