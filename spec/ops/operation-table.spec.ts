import type { Statistics } from '../../src/store/bd/statistics';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isObservable, lastValueFrom, Subject, toArray } from 'rxjs';
import { RpcClient } from '../../src/rpc/rpc-client';
import { daemonRpcHandler } from '../../src/daemon/server/daemon-rpc-handler';
import { initialStats } from '../../src/daemon/daemon-stats';
import type { LoggedEvent } from '../../src/events/daemon-event';
import type { IssueRecord } from '../../src/jsonl/parse-jsonl';
import { NeedsDaemonError } from '../../src/ops/daemon-context';
import { executeOperation } from '../../src/ops/execute-operation';
import { MUTATING_OPERATIONS, OPERATION_TABLE, type OperationResult } from '../../src/ops/operation-table';
import { type Operation, type OperationInput, OPERATIONS } from '../../src/rpc/protocol';
import { createDispatch, type Dispatch } from '../../src/rpc/rpc-dispatch';
import type { RpcResponse } from '../../src/rpc/response';
import { startRpcServer, type RpcServer } from '../../src/rpc/rpc-server';
import { BeadsStore } from '../../src/store/beads-store';
import { initWorkspace } from '../../src/workspace/init-workspace';
import type { WorkspacePaths } from '../../src/workspace/workspace-paths';
import { waitFor } from '../helpers/wait-for';

// Compile-time checks (tsc --noEmit runs over spec/): the client's result types are the handlers'.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
export type ClientTypesComeFromTheTable = [
  Assert<Equal<OperationResult<'create'>, IssueRecord>>,
  Assert<Equal<OperationResult<'show'>, IssueRecord>>,
  Assert<Equal<OperationResult<'stats'>, Statistics & { summary: Statistics }>>,
  Assert<Equal<Awaited<ReturnType<RpcClient['request']>>, OperationResult<Exclude<Operation, 'subscribe'>>>>,
];

/** Valid args for every operation; the type makes a new operation without a sample a compile error. */
const SAMPLES: { [K in Operation]: OperationInput[K] } = {
  ping: {},
  health: {},
  status: {},
  create: { id: 'ot-new', title: 'Made by the sample' },
  update: { id: 'ot-1', notes: 'noted' },
  close: { id: 'ot-1', reason: 'done' },
  reopen: { id: 'ot-1' },
  delete: { id: 'ot-3' },
  list: { status: 'open' },
  show: { id: 'ot-1' },
  ready: { limit: 5 },
  blocked: {},
  stats: {},
  dep_add: { from_id: 'ot-1', to_id: 'ot-2' },
  dep_remove: { from_id: 'ot-1', to_id: 'ot-2' },
  label_add: { id: 'ot-1', label: 'ui' },
  label_remove: { id: 'ot-1', label: 'ui' },
  comment_add: { id: 'ot-1', text: 'hello' },
  comment_list: { id: 'ot-1' },
  get_mutations: { since: 0 },
  batch: { operations: [{ operation: 'show', args: { id: 'ot-2' } }] },
  export: { force: true },
  import: { force: true },
  shutdown: {},
  subscribe: {},
  count: {},
  stale: {},
  epic_status: {},
  resolve_id: { id: 'ot-1' },
  get_config: { key: 'issue_prefix' },
  dep_list: { id: 'ot-1' },
  dep_tree: { id: 'ot-1' },
  dep_cycles: {},
  label_list: { id: 'ot-1' },
  label_list_all: {},
  config_set: { key: 'k', value: 'v' },
  config_unset: { key: 'k' },
  config_list: {},
};

/** bd's writes (bd-surface.md): the operations after which direct mode exports. */
const BD_WRITES = ['create', 'update', 'close', 'reopen', 'delete', 'dep_add', 'dep_remove', 'label_add', 'label_remove', 'comment_add'];

describe('OPERATION_TABLE', () => {
  let root: string;
  let paths: WorkspacePaths;
  let store: BeadsStore;
  let events$: Subject<LoggedEvent>;
  let shutdowns: number;
  let syncRequests: string[];
  let dispatch: Dispatch;
  let server: RpcServer | undefined;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-ops-'));
    paths = initWorkspace(root, { prefix: 'ot' }).paths;
    store = new BeadsStore(paths.dbPath);
    for (const id of ['ot-1', 'ot-2', 'ot-3']) store.create({ id, title: `Issue ${id}` }, 'seed');
    events$ = new Subject<LoggedEvent>();
    shutdowns = 0;
    syncRequests = [];
    const handler = daemonRpcHandler({
      runtime: {
        store,
        paths,
        settings: { mode: 'events', debounceMs: 500, maxWaitMs: 2000, pollIntervalMs: 5000 },
        events$,
        startedAt: Date.now(),
        watched: [],
      },
      socketPath: path.join(root, 'bd.sock'),
      version: 'test',
      maxConnections: 10,
      activeConnections: () => 1,
      stats: () => initialStats('events').stats,
      requestSync: (kind, reason) => {
        syncRequests.push(`${kind} (${reason})`);
        return Promise.reject(new Error('this test runs no lane'));
      },
      shutdown: () => shutdowns++,
      mutations: () => [{ op: 'create', id: 'ot-1', at: 1 }],
    });
    dispatch = createDispatch({ dbPath: paths.dbPath, handler });
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    events$.complete();
    store.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const send = (operation: string, args: unknown) =>
    dispatch(JSON.stringify({ operation, args, actor: 'tester' }), { connectionId: 1 });

  it('should have one row for each operation of the protocol', () => {
    expect(Object.keys(OPERATION_TABLE).sort()).toEqual([...OPERATIONS].sort());
  });

  it('should derive MUTATING_OPERATIONS from the rows flagged mutating, which are bd writes', () => {
    const flagged = OPERATIONS.filter((op) => OPERATION_TABLE[op].mutating);
    expect([...MUTATING_OPERATIONS]).toEqual(flagged);
    expect([...MUTATING_OPERATIONS].sort()).toEqual([...BD_WRITES].sort());
  });

  it('should dispatch every operation of the table to its handler', async () => {
    const answers: Record<string, RpcResponse> = {};
    for (const op of OPERATIONS) {
      const result = send(op, SAMPLES[op]);
      if (isObservable(result)) {
        // subscribe streams the daemon's events until they end.
        const streamed = lastValueFrom(result.pipe(toArray()));
        events$.complete();
        answers[op] = { success: true, data: await streamed };
      } else answers[op] = await result;
    }
    const failed = Object.entries(answers).filter(([, r]) => !r.success);
    expect(failed).toEqual([]);
    expect(Object.keys(answers)).toEqual([...OPERATIONS]);
    expect(answers.create.data).toMatchObject({ id: 'ot-new', title: 'Made by the sample', created_by: 'tester' });
    expect(answers.batch.data).toEqual({ results: [{ success: true, data: expect.objectContaining({ id: 'ot-2' }) }] });
    expect(answers.get_mutations.data).toEqual([{ Type: 'create', IssueID: 'ot-1', Timestamp: new Date(1).toISOString() }]);
    expect(store.get('ot-3')).toBeNull();
    // import --force ran outside the lane: the lane is asked for the export of what it merged.
    expect(syncRequests).toEqual(['export (rpc import)']);
    // shutdown answers first and begins the stop right after.
    await waitFor(() => shutdowns > 0, 2000, 'the shutdown to begin');
    expect(shutdowns).toBe(1);
  });

  it('should check the args of every operation before its handler runs', async () => {
    const before = store.list().length;
    const errors: string[] = [];
    for (const op of OPERATIONS) {
      const result = send(op, 'not an object');
      if (isObservable(result)) throw new Error(`${op} streamed instead of refusing its args`);
      errors.push((await result).error ?? '(answered success)');
    }
    expect(errors).toEqual(OPERATIONS.map((op) => `invalid args for ${op}: expected an object, got "not an object"`));
    expect(store.list()).toHaveLength(before);
    expect(shutdowns).toBe(0);
  });

  it('should give direct mode the same rows: same record, daemon-only operations refused', async () => {
    const direct = executeOperation({ store, paths, actor: 'tester' }, 'show', { id: 'ot-1' });
    const viaDaemon = await send('show', { id: 'ot-1' });
    expect(viaDaemon).toEqual({ success: true, data: JSON.parse(JSON.stringify(direct)) });
    expect(() => executeOperation({ store, paths, actor: 'tester' }, 'status', {})).toThrow(NeedsDaemonError);
    expect(() => executeOperation({ store, paths, actor: 'tester' }, 'create', { title: 7 })).toThrow(
      'invalid args for create: title: expected a non-empty title, got 7',
    );
  });

  it('should type a client request by the table, over a real socket', async () => {
    server = await startRpcServer({
      socketPath: path.join(root, 'bd.sock'),
      dbPath: paths.dbPath,
      maxConnections: 10,
      handler: daemonRpcHandler({
        runtime: { store, paths, settings: { mode: 'poll', debounceMs: 1, maxWaitMs: 1, pollIntervalMs: 1 }, events$, startedAt: 0, watched: [] },
        socketPath: path.join(root, 'bd.sock'),
        version: 'test',
        maxConnections: 10,
        activeConnections: () => 1,
        stats: () => initialStats('poll').stats,
        requestSync: () => Promise.reject(new Error('this test runs no lane')),
        shutdown: () => undefined,
        mutations: () => [],
      }),
    });
    const client = await RpcClient.connect(path.join(root, 'bd.sock'), { actor: 'alice' });
    try {
      const created: IssueRecord = await client.request('create', { title: 'Typed' });
      const shown: IssueRecord = await client.request('show', { id: created.id });
      expect(shown).toMatchObject({ id: created.id, title: 'Typed', status: 'open' });
    } finally {
      client.close();
    }
  });
});
