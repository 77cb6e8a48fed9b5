import { filter } from 'rxjs';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { SafetyFinding } from '../src/pipeline/daemon-sources';
import { type FileIdentity, safetyCheck$ } from '../src/sources/safety-check';
import { exportDone, fakeEffects, importDone, isOutcomeOrLifecycle, mutation, SETTINGS, sources, STOPPED, testScheduler } from './support/fake-daemon';

const file = (ino: number, size = 10, mtimeMs = 1): FileIdentity => ({ dev: 1, ino, size, mtimeMs });

/** A fake stat over a table of files that the test changes at given virtual times. */
function fakeFs(scheduler: ReturnType<typeof testScheduler>, changes: Array<[number, string, FileIdentity | null]>) {
  const files = new Map<string, FileIdentity | null>([
    ['/w', file(1)],
    ['/w/.beads', file(2)],
    ['/w/.beads/beads.db', file(3, 4096)],
    ['/w/.beads/issues.jsonl', file(4)],
  ]);
  let stats = 0;
  const stat = (p: string): FileIdentity | null => {
    stats++;
    for (const [at, path, value] of changes) if (path === p && scheduler.now() >= at) files.set(p, value);
    return files.get(p) ?? null;
  };
  return { stat, stats: () => stats };
}

const opts = { root: '/w', beadsDir: '/w/.beads', jsonlPath: '/w/.beads/issues.jsonl', dbPath: '/w/.beads/beads.db', intervalMs: 1000 };

describe('fault 4: safetyCheck$ (the periodic safety check)', () => {
  it('should emit nothing while nothing changes, at a cost of four stats a tick', () => {
    const scheduler = testScheduler();
    const fs = fakeFs(scheduler, []);
    scheduler.run(({ expectObservable }) => {
      expectObservable(safetyCheck$({ ...opts, scheduler, stat: fs.stat }), '10s !').toBe('');
    });
    // 4 at subscribe, then 4 per tick for 9 ticks (the 10th is cut by the unsubscribe).
    expect(fs.stats()).toBe(4 + 4 * 9);
  });

  it('should report a JSONL change the watcher never reported, at the next tick, once', () => {
    const scheduler = testScheduler();
    const fs = fakeFs(scheduler, [[2500, '/w/.beads/issues.jsonl', file(9, 20, 2)]]);
    scheduler.run(({ expectObservable }) => {
      expectObservable(safetyCheck$({ ...opts, scheduler, stat: fs.stat }), '6s !').toBe('3000ms j', {
        j: { kind: 'jsonl-changed', path: opts.jsonlPath },
      });
    });
  });

  it('should report a replaced DB (another inode, or a smaller file), a deleted DB and a lost workspace, then complete', () => {
    const cases: Array<[string, FileIdentity | null, SafetyFinding]> = [
      ['/w/.beads/beads.db', file(33, 4096), { kind: 'db-replaced', path: opts.dbPath }],
      ['/w/.beads/beads.db', file(3, 1024), { kind: 'db-replaced', path: opts.dbPath }],
      ['/w/.beads/beads.db', null, { kind: 'db-deleted', path: opts.dbPath }],
      ['/w', null, { kind: 'workspace-gone', path: '/w' }],
      ['/w/.beads', file(22), { kind: 'workspace-gone', path: '/w/.beads' }],
    ];
    for (const [path, value, finding] of cases) {
      const scheduler = testScheduler();
      const fs = fakeFs(scheduler, [[1500, path, value]]);
      scheduler.run(({ expectObservable }) => {
        expectObservable(safetyCheck$({ ...opts, scheduler, stat: fs.stat })).toBe('2000ms (f|)', { f: finding });
      });
    }
  });
});

describe('fault 4 and 3: the safety check in the pipeline', () => {
  it('should import after a JSONL change found by the safety check, debounced like a file change', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ hot, expectObservable }) => {
      const safety$ = hot<SafetyFinding>('1000ms j', { j: { kind: 'jsonl-changed', path: opts.jsonlPath } });
      const out$ = daemonPipeline(sources({ safety$ }), { ...SETTINGS, ...effects, scheduler }).pipe(filter(isOutcomeOrLifecycle));
      expectObservable(out$, '5s !').toBe('(xy) 1496ms i', { x: exportDone(1), y: importDone(1), i: importDone(1) });
    });
  });

  it('should stop with daemon/failed EDBREPLACED when the DB file was replaced, flushing the pending export', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ hot, expectObservable }) => {
      const safety$ = hot<SafetyFinding>('1000ms r', { r: { kind: 'db-replaced', path: opts.dbPath } });
      const out$ = daemonPipeline(sources({ safety$ }), { ...SETTINGS, ...effects, scheduler }).pipe(filter(isOutcomeOrLifecycle));
      expectObservable(out$).toBe('(xy) 996ms (fz|)', {
        x: exportDone(1),
        y: importDone(1),
        f: { type: 'daemon/failed', code: 'EDBREPLACED', message: expect.stringContaining('was replaced under the running daemon') },
        z: STOPPED,
      });
    });
  });

  it('should stop with daemon/failed EDBDELETED when the check before an export finds the DB file gone (no safety tick)', () => {
    const scheduler = testScheduler();
    const gone = Object.assign(new Error('/w/.beads/beads.db was deleted under the running daemon; stopping'), { code: 'EDBDELETED' });
    const effects = fakeEffects(scheduler, {
      exportOutcome: (n) => {
        if (n === 1) throw gone;
        return { kind: 'done', issues: 3, bytes: 420, ms: 0 };
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('100ms m', { m: mutation('bd-a1b2') });
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler }).pipe(filter(isOutcomeOrLifecycle));
      // 600: the debounced export's check fails; the failure is fed back and stops the daemon at once.
      expectObservable(out$).toBe('(xy) 596ms (efz|)', {
        x: exportDone(1),
        y: importDone(1),
        e: { type: 'export/failed', error: gone.message, code: 'EDBDELETED', batched: 1 },
        f: { type: 'daemon/failed', code: 'EDBDELETED', message: gone.message },
        z: STOPPED,
      });
    });
  });
});
