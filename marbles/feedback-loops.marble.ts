import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { WatchEvent } from '../src/pipeline/daemon-sources';
import {
  exportDone,
  fakeEffects,
  IMPORT_RESULT,
  IMPORTED,
  importDone,
  mutation,
  SETTINGS,
  sources,
  testScheduler,
} from './support/fake-daemon';
import type { DaemonEvent } from '../src/events/daemon-event';

const requested = (kind: 'import' | 'export', reason: string): DaemonEvent => ({ type: 'sync/requested', kind, reason });

/**
 * Every loop of the daemon closes inside the pipeline: an effect reports what it found, and
 * the pipeline turns that into the next request (see `feedbackOf`).
 */
describe('feedback loops (in the daemon pipeline)', () => {
  it('should ask for an import a debounce after each export/done when recheckAfterExport is on', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('1000ms m', { m: mutation('bd-a1b2') });
      // 0: start-up export, its recheck request, start-up import; 500: the recheck import.
      // 1000: a write; 1500: its export and recheck request; 2000: the recheck import.
      const expected = '      (xry) 495ms i 499ms a 499ms (er) 496ms j';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, recheckAfterExport: true, scheduler });
      expectObservable(out$).toBe(expected, {
        x: exportDone(1),
        r: requested('import', 'after export'),
        y: importDone(1),
        i: importDone(1),
        a: { type: 'store/mutated', op: 'update', id: 'bd-a1b2' },
        e: exportDone(1),
        j: importDone(1),
      });
    });
    expect(effects.runs.map((run) => `${run.kind}@${run.start}`)).toEqual([
      'export@0',
      'import@0',
      'import@500',
      'export@1500',
      'import@2000',
    ]);
  });

  it('should not ask for the recheck once the daemon stops, even after the export the stop flushes', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('1000ms m', { m: mutation('bd-a1b2') });
      const signal$ = cold('  1100ms T', { T: 'SIGTERM' as const });
      const expected = '      (xry) 495ms i 499ms a 99ms (sez|)';
      const out$ = daemonPipeline(sources({ mutation$, signal$ }), { ...SETTINGS, ...effects, recheckAfterExport: true, scheduler });
      expectObservable(out$).toBe(expected, {
        x: exportDone(1),
        r: requested('import', 'after export'),
        y: importDone(1),
        i: importDone(1),
        a: { type: 'store/mutated', op: 'update', id: 'bd-a1b2' },
        s: { type: 'daemon/stopping', signal: 'SIGTERM' },
        e: exportDone(1),
        z: { type: 'daemon/stopped' },
      });
    });
  });

  it('should turn an import/done with needs_export into export work, debounced, with no store/mutated line', () => {
    const scheduler = testScheduler();
    const kept = { ...IMPORTED, kept_local: ['bd-a1b2'], needs_export: true };
    const effects = fakeEffects(scheduler, { importOutcome: (n) => (n === 0 ? kept : IMPORTED) });
    scheduler.run(({ expectObservable }) => {
      const expected = '(xy) 496ms e';
      const out$ = daemonPipeline(sources(), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, {
        x: exportDone(1),
        y: { type: 'import/done', ...IMPORT_RESULT, kept_local: ['bd-a1b2'], needs_export: true, batched: 1 },
        e: exportDone(1),
      });
    });
    expect(effects.runs.map((run) => `${run.kind}@${run.start}`)).toEqual(['export@0', 'import@0', 'export@500']);
  });

  it("should answer the watcher's ready with an import request, debounced like a file change", () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    const ready: Record<string, WatchEvent> = { r: { kind: 'ready' } };
    scheduler.run(({ cold, expectObservable }) => {
      const fileChange$ = cold('300ms r', ready);
      const expected = '        (xy) 296ms w 499ms i';
      const out$ = daemonPipeline(sources({ fileChange$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        w: requested('import', 'watcher ready'),
        i: importDone(1),
      });
    });
  });
});
