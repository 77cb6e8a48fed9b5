import type { DaemonEvent, LoggedEvent } from '../../src/events/daemon-event';
import { formatEventJson, formatEventText, stampEvent } from '../../src/events/format-event';
import { IMPORT_RESULT } from '../../marbles/support/fake-daemon';

const at = new Date(2025, 10, 26, 23, 6, 19, 123); // local 23:06:19.123
const stamp = (e: DaemonEvent): LoggedEvent => stampEvent(e, at);
/** The text after the clock: what a person reads about the event. */
const textOf = (e: DaemonEvent): string => formatEventText(stamp(e)).slice('23:06:19.123 '.length);

describe('stampEvent', () => {
  it('should add the time as ISO 8601 UTC and keep every field', () => {
    const logged = stampEvent({ type: 'store/mutated', op: 'create', id: 'bd-a1b2' }, at);

    expect(logged).toEqual({ ts: at.toISOString(), type: 'store/mutated', op: 'create', id: 'bd-a1b2' });
    expect(logged.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('formatEventJson', () => {
  it('should write one compact line with ts first, then type, then the fields', () => {
    const line = formatEventJson(
      stamp({ type: 'export/done', issues: 42, bytes: 10547, ms: 12, batched: 7 }),
    );

    expect(line).toBe(`{"ts":"${at.toISOString()}","type":"export/done","issues":42,"bytes":10547,"ms":12,"batched":7}`);
  });

  it('should put ts and type first even when the object was built in another order', () => {
    const e = { reason: 'watcher failed', intervalMs: 5000, type: 'mode/poll', ts: '2025-11-26T22:06:19.123Z' } as const;

    expect(Object.keys(JSON.parse(formatEventJson(e)))).toEqual(['ts', 'type', 'reason', 'intervalMs']);
  });

  it('should escape newlines so an error message cannot split the line', () => {
    const line = formatEventJson(stamp({ type: 'export/failed', error: 'disk full\nat write', code: 'EEFFECT', batched: 1 }));

    expect(line).not.toContain('\n');
    expect(JSON.parse(line).error).toBe('disk full\nat write');
  });

  it('should parse back to exactly the stamped event', () => {
    const events: DaemonEvent[] = [
      { type: 'daemon/started', mode: 'events', debounceMs: 500, maxWaitMs: 5000, workspace: '/w', pid: 7 },
      { type: 'daemon/stopped' },
      { type: 'import/failed', error: 'conflict marker', code: 'EEFFECT', line: 224, batched: 2 },
    ];
    for (const e of events) expect(JSON.parse(formatEventJson(stamp(e)))).toEqual(stamp(e));
  });
});

describe('formatEventText', () => {
  it('should start with the local wall-clock time to the millisecond, then the type', () => {
    expect(formatEventText(stamp({ type: 'daemon/stopped' }))).toBe('23:06:19.123 daemon/stopped');
  });

  it('should pad the clock', () => {
    const early = stampEvent({ type: 'daemon/stopped' }, new Date(2025, 0, 2, 3, 4, 5, 6));

    expect(formatEventText(early)).toBe('03:04:05.006 daemon/stopped');
  });

  it('should show the raw ts when it is not a time', () => {
    expect(formatEventText({ ts: 'garbled', type: 'daemon/stopped' })).toBe('garbled daemon/stopped');
  });

  it.each<[string, DaemonEvent, string]>([
    ['an export', { type: 'export/done', issues: 42, bytes: 10547, ms: 12, batched: 7 }, '42 issues, 10.3 KB in 12 ms (batched 7)'],
    [
      'an export written ahead',
      { type: 'export/done', issues: 42, bytes: 10547, ms: 1, staged: true, batched: 7 },
      '42 issues, 10.3 KB in 1 ms, written ahead (batched 7)',
    ],
    ['a one-issue export', { type: 'export/done', issues: 1, bytes: 120, ms: 3, batched: 1 }, '1 issue, 120 B in 3 ms (batched 1)'],
    ['a big export', { type: 'export/done', issues: 9000, bytes: 3 * 1024 * 1024 + 300_000, ms: 250, batched: 1 }, '9000 issues, 3.3 MB in 250 ms (batched 1)'],
    ['a skipped export', { type: 'export/skipped', reason: 'no dirty issues', batched: 3 }, 'no dirty issues (batched 3)'],
    ['a failed export', { type: 'export/failed', error: 'EACCES: permission denied', code: 'EEFFECT', batched: 1 }, 'EACCES: permission denied (batched 1)'],
    [
      'an import',
      { type: 'import/done', ...IMPORT_RESULT, created: 2, updated: 1, deleted: 0, unchanged: 40, ms: 15, batched: 4 },
      '2 created, 1 updated, 0 deleted, 40 unchanged in 15 ms (batched 4)',
    ],
    ['a skipped import', { type: 'import/skipped', reason: 'hash unchanged', batched: 1 }, 'hash unchanged (batched 1)'],
    [
      'a failed import at a line',
      { type: 'import/failed', error: 'git conflict marker: resolve the merge', code: 'EEFFECT', line: 224, batched: 1 },
      'line 224: git conflict marker: resolve the merge (batched 1)',
    ],
    ['a failed import', { type: 'import/failed', error: 'EISDIR', code: 'EEFFECT', batched: 2 }, 'EISDIR (batched 2)'],
    ['a file change', { type: 'fs/changed', path: '/w/.beads/issues.jsonl' }, '/w/.beads/issues.jsonl'],
    ['a mutation', { type: 'store/mutated', op: 'update', id: 'bd-a1b2' }, 'update bd-a1b2'],
    ['a sync request', { type: 'sync/requested', kind: 'import', reason: 'post-merge hook' }, 'import: post-merge hook'],
    [
      'a fatal watcher failure',
      { type: 'watcher/failed', code: 'ENOSPC', message: 'inotify watch limit reached', fatal: true },
      'ENOSPC: inotify watch limit reached (fatal)',
    ],
    ['a watcher failure', { type: 'watcher/failed', code: 'EACCES', message: 'denied', fatal: false }, 'EACCES: denied'],
    ['the switch to polling', { type: 'mode/poll', reason: 'watcher failed', intervalMs: 5000 }, 'every 5000 ms: watcher failed'],
    ['an ignored signal', { type: 'signal/ignored', signal: 'SIGHUP' }, 'SIGHUP'],
    ['a stop', { type: 'daemon/stopping', signal: 'SIGTERM' }, 'SIGTERM'],
    [
      'a start',
      { type: 'daemon/started', mode: 'events', debounceMs: 500, maxWaitMs: 5000, workspace: '/w', pid: 4242 },
      '/w (pid 4242, events mode, debounce 500 ms, max wait 5000 ms)',
    ],
  ])('should describe %s in a few words', (_name, e, expected) => {
    expect(textOf(e)).toBe(`${e.type} ${expected}`);
  });

  it('should keep one event on one line when a message has line breaks', () => {
    const text = formatEventText(stamp({ type: 'export/failed', error: 'disk full\r\nat write', code: 'EEFFECT', batched: 1 }));

    expect(text).toBe('23:06:19.123 export/failed disk full\\nat write (batched 1)');
  });

  it('should show the fields of an event type it does not know, for logs from a newer version', () => {
    const future = { ts: at.toISOString(), type: 'rpc/connected', client: 'cli' } as unknown as LoggedEvent;

    expect(formatEventText(future)).toBe('23:06:19.123 rpc/connected {"client":"cli"}');
  });
});
