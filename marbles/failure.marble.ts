import { filter } from 'rxjs';
import type { DaemonEvent } from '../src/events/daemon-event';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { SyncTrigger, WatchEvent } from '../src/pipeline/daemon-sources';
import {
  EXPORTED,
  exportDone,
  fakeEffects,
  IMPORTED,
  importDone,
  isEffectEvent,
  isOutcomeOrLifecycle,
  mutation,
  SETTINGS,
  sources,
  STOPPED,
  testScheduler,
} from './support/fake-daemon';

const m = { m: mutation('bd-a1b2') };
const c: Record<string, WatchEvent> = { c: { kind: 'change', path: '.beads/issues.jsonl' } };
const exportFailed = (error: string, batched = 1): DaemonEvent => ({ type: 'export/failed', error, code: 'EEFFECT', batched });

describe('effect failure', () => {
  it('should turn a failing export into export/failed and export normally on the next mutation', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, {
      exportOutcome: (n) => {
        if (n === 1) throw new Error('EROFS: read-only file system');
        return EXPORTED;
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('100ms m 899ms m', m);
      const expected = '      (xy) 596ms f 899ms e';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        f: exportFailed('EROFS: read-only file system'),
        e: exportDone(1),
      });
    });
  });

  it('should carry the JSONL line of a failed import, and import normally on the next change', () => {
    const scheduler = testScheduler();
    const conflict = Object.assign(new Error('.beads/issues.jsonl line 224 is a git conflict marker'), { line: 224 });
    const effects = fakeEffects(scheduler, {
      importOutcome: (n) => {
        if (n === 1) throw conflict;
        return IMPORTED;
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const fileChange$ = cold('100ms c 899ms c', c);
      const expected = '        (xy) 596ms f 899ms i';
      const out$ = daemonPipeline(sources({ fileChange$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        f: {
          type: 'import/failed',
          error: '.beads/issues.jsonl line 224 is a git conflict marker',
          code: 'EEFFECT',
          line: 224,
          batched: 1,
        },
        i: importDone(1),
      });
    });
  });

  it('should report an effect that throws before returning an Observable as failed, and go on', () => {
    const scheduler = testScheduler();
    let exports = 0;
    const effects = fakeEffects(scheduler);
    const runExport = () => {
      if (exports++ === 1) throw new Error('store is closed');
      return effects.effects.export({ kind: 'export', batched: 1 });
    };
    scheduler.run(({ cold, expectObservable }) => {
      const trigger$ = cold<SyncTrigger>('100ms t 899ms t', { t: { kind: 'export', reason: 'rpc export' } });
      const expected = '                  (xy) 596ms f 899ms e';
      const out$ = daemonPipeline(sources({ trigger$ }), { ...SETTINGS, effects: { ...effects.effects, export: runExport }, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        f: exportFailed('store is closed'),
        e: exportDone(1),
      });
    });
  });

  it('should report failing start-up effects and stay up, the export retried with backoff, when no input arrives', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, {
      exportOutcome: () => {
        throw new Error('SQLITE_CORRUPT: database disk image is malformed');
      },
      importOutcome: () => {
        throw new Error('ENOENT: .beads/issues.jsonl');
      },
    });
    scheduler.run(({ expectObservable }) => {
      // The failed export is asked for again 1 s later (then debounced: it runs at 1500), then
      // 2 s after that failure (4000, past the end of this run); the import waits for a trigger.
      const expected = '(fg) 1496ms f';
      const out$ = daemonPipeline(sources(), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$, '^ 3999ms !').toBe(expected, {
        f: exportFailed('SQLITE_CORRUPT: database disk image is malformed'),
        g: { type: 'import/failed', error: 'ENOENT: .beads/issues.jsonl', code: 'EEFFECT', batched: 1 },
      });
    });
    expect(effects.runs.map((r) => [r.kind, r.start])).toEqual([
      ['export', 0],
      ['import', 0],
      ['export', 1500],
    ]);
  });

  it('should treat a failing trigger source as fatal: stop after the pending export', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('            100ms m', m);
      const trigger$ = cold<SyncTrigger>('200ms #', undefined, new Error('socket closed'));
      const expected = '                  (xy) 196ms (fez|)';
      const out$ = daemonPipeline(sources({ mutation$, trigger$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isOutcomeOrLifecycle))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        f: { type: 'daemon/failed', code: 'ESOURCE', message: 'trigger$ failed: socket closed' },
        e: exportDone(1),
        z: STOPPED,
      });
    });
  });

  it('should report nothing when unsubscribed while a failing effect is in flight', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, {
      exportMs: 300,
      exportOutcome: (n) => {
        if (n === 1) throw new Error('EROFS: read-only file system');
        return EXPORTED;
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('100ms m', m);
      const unsub = '         700ms !';
      const expected = '      300ms (xy)';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent)), unsub).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
      });
    });
    expect(effects.runs.map(({ kind, start, end }) => [kind, start, end])).toEqual([
      ['export', 0, 300],
      ['import', 300, 300],
      ['export', 600, 700],
    ]);
  });
});
