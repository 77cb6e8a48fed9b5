import { defer, EMPTY, filter, map, merge, type Observable, of, type SchedulerLike, Subject, tap, throwError } from 'rxjs';
import type { ExportOutcome, ImportOutcome } from '../src/effects/effect-outcome';
import type { DaemonEvent } from '../src/events/daemon-event';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { DaemonDeps, Mutation, WatchEvent } from '../src/pipeline/daemon-sources';
import { IMPORT_RESULT, isEffectEvent, mutation, SETTINGS, testScheduler } from './support/fake-daemon';

const JSONL = '.beads/issues.jsonl';
const CHANGE: WatchEvent = { kind: 'change', path: JSONL };
/** How long after a write the fake watcher reports it. */
const WATCH_LATENCY_MS = 20;

/**
 * A workspace reduced to hashes: the store has a version, the JSONL file has a content hash, and
 * the effects remember the hash they last wrote or imported — which is how the real ones tell
 * their own writes from someone else's.
 */
function fakeWorkspace(scheduler: SchedulerLike) {
  const ownWrites = new Subject<WatchEvent>();
  let storeVersion = 0;
  let fileHash = 'store-v0';
  let syncedHash = 'store-v0';
  let writtenHash: string | undefined;
  const imported: string[] = [];

  const runExport = (): Observable<ExportOutcome> =>
    defer(() => {
      const hash = `store-v${storeVersion}`;
      if (hash === syncedHash) return of<ExportOutcome>({ kind: 'skipped', reason: 'unchanged' });
      fileHash = syncedHash = writtenHash = hash;
      scheduler.schedule(() => ownWrites.next(CHANGE), WATCH_LATENCY_MS);
      return of<ExportOutcome>({ kind: 'done', issues: storeVersion, bytes: 100 * storeVersion, ms: 0 });
    });

  const runImport = (): Observable<ImportOutcome> =>
    defer(() => {
      if (fileHash === syncedHash) {
        return of<ImportOutcome>({ kind: 'skipped', reason: fileHash === writtenHash ? 'own-write' : 'unchanged' });
      }
      if (fileHash.includes('<<<<<<<')) {
        return throwError(() => Object.assign(new Error(`${JSONL} line 3 is a git conflict marker`), { line: 3 }));
      }
      imported.push(fileHash);
      syncedHash = fileHash;
      return of<ImportOutcome>({ kind: 'done', ...IMPORT_RESULT, created: 0, updated: 1, deleted: 0, unchanged: 2 });
    });

  return {
    imported,
    effects: { effects: { export: runExport, import: runImport, prepare: () => EMPTY, git: () => EMPTY } },
    /** Every mutation bumps the store version before the pipeline sees it. */
    mutations: (mutation$: Observable<Mutation>) => mutation$.pipe(tap(() => (storeVersion += 1))),
    /** The watcher: our own writes, plus external writes (`git pull`) that set the file's hash. */
    watcher: (external$: Observable<string>) =>
      merge(
        ownWrites,
        external$.pipe(
          tap((hash) => (fileHash = hash)),
          map(() => CHANGE),
        ),
      ),
  };
}

const skipped = (type: 'export/skipped' | 'import/skipped', reason: string): DaemonEvent => ({
  type,
  reason,
  batched: 1,
});

describe('own-write suppression', () => {
  it('should answer the file change caused by its own export with import/skipped, and import an external change', () => {
    const scheduler = testScheduler();
    const workspace = fakeWorkspace(scheduler);
    scheduler.run(({ cold, hot, expectObservable }) => {
      const mutation$ = cold('100ms m', { m: mutation('bd-a1b2') });
      const external$ = hot(' 2000ms p', { p: 'pulled-from-origin' });
      const expected = '      (xy) 596ms e 519ms s 1379ms i';
      const deps: DaemonDeps = { ...SETTINGS, ...workspace.effects, scheduler };
      const out$ = daemonPipeline(
        {
          fileChange$: workspace.watcher(external$),
          mutation$: workspace.mutations(mutation$),
          signal$: cold('-'),
          trigger$: cold('-'),
        },
        deps,
      );
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: skipped('export/skipped', 'unchanged'),
        y: skipped('import/skipped', 'unchanged'),
        e: { type: 'export/done', issues: 1, bytes: 100, ms: 0, batched: 1 },
        s: skipped('import/skipped', 'own-write'),
        i: { type: 'import/done', ...IMPORT_RESULT, created: 0, updated: 1, deleted: 0, unchanged: 2, batched: 1 },
      });
    });
    expect(workspace.imported).toEqual(['pulled-from-origin']);
  });

  it('should neither export nor import anything when nothing changes', () => {
    const scheduler = testScheduler();
    const workspace = fakeWorkspace(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const expected = '(xy)';
      const out$ = daemonPipeline(
        {
          fileChange$: workspace.watcher(cold('|')),
          mutation$: workspace.mutations(cold('|')),
          signal$: cold('-'),
          trigger$: cold('-'),
        },
        { ...SETTINGS, ...workspace.effects, scheduler },
      );
      expectObservable(out$).toBe(expected, {
        x: skipped('export/skipped', 'unchanged'),
        y: skipped('import/skipped', 'unchanged'),
      });
    });
    expect(workspace.imported).toEqual([]);
  });

  it('should report an external write with conflict markers as import/failed with its line, then import the resolved file', () => {
    const scheduler = testScheduler();
    const workspace = fakeWorkspace(scheduler);
    scheduler.run(({ cold, hot, expectObservable }) => {
      const external$ = hot('1000ms p 999ms r', { p: '<<<<<<< HEAD', r: 'resolved' });
      const expected = '     (xy) 1496ms f 999ms i';
      const out$ = daemonPipeline(
        {
          fileChange$: workspace.watcher(external$),
          mutation$: workspace.mutations(cold('-')),
          signal$: cold('-'),
          trigger$: cold('-'),
        },
        { ...SETTINGS, ...workspace.effects, scheduler },
      );
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: skipped('export/skipped', 'unchanged'),
        y: skipped('import/skipped', 'unchanged'),
        f: { type: 'import/failed', error: `${JSONL} line 3 is a git conflict marker`, code: 'EEFFECT', line: 3, batched: 1 },
        i: { type: 'import/done', ...IMPORT_RESULT, created: 0, updated: 1, deleted: 0, unchanged: 2, batched: 1 },
      });
    });
    expect(workspace.imported).toEqual(['resolved']);
  });

  it('should not import at all when unsubscribed between its own export and the change it causes', () => {
    const scheduler = testScheduler();
    const workspace = fakeWorkspace(scheduler);
    const runs: string[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const unsub = '       610ms !';
      const expected = '    (xy) 596ms e';
      const out$ = daemonPipeline(
        {
          fileChange$: workspace.watcher(cold('-')),
          mutation$: workspace.mutations(cold('100ms m', { m: mutation('bd-a1b2') })),
          signal$: cold('-'),
          trigger$: cold('-'),
        },
        {
          ...SETTINGS,
          effects: {
            export: () => (runs.push('export'), workspace.effects.effects.export()),
            import: () => (runs.push('import'), workspace.effects.effects.import()),
            prepare: workspace.effects.effects.prepare,
            git: workspace.effects.effects.git,
          },
          scheduler,
        },
      );
      expectObservable(out$.pipe(filter(isEffectEvent)), unsub).toBe(expected, {
        x: skipped('export/skipped', 'unchanged'),
        y: skipped('import/skipped', 'unchanged'),
        e: { type: 'export/done', issues: 1, bytes: 100, ms: 0, batched: 1 },
      });
    });
    expect(runs).toEqual(['export', 'import', 'export']);
  });
});
