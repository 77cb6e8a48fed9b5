import { filter } from 'rxjs';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { WatchEvent } from '../src/pipeline/daemon-sources';
import {
  EXPORTED,
  exportDone,
  fakeEffects,
  importDone,
  isEffectEvent,
  mutation,
  overlaps,
  SETTINGS,
  sources,
  testScheduler,
} from './support/fake-daemon';

const m = { m: mutation('bd-a1b2') };
const c: Record<string, WatchEvent> = { c: { kind: 'change', path: '.beads/issues.jsonl' } };

describe('serial lane (in the daemon pipeline)', () => {
  it('should run imports and exports requested during an 800 ms export after it, one of each, export first, never overlapping', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 800, importMs: 300 });
    scheduler.run(({ cold, expectObservable }) => {
      // 2,000 ms: a mutation → export from 2,500 to 3,300. During it, five file changes and five
      // mutations (2,600–2,604 ms), whose debounced requests arrive at 3,104 ms.
      const mutation$ = cold('  2000ms m 599ms mmmmm', m);
      const fileChange$ = cold('2600ms ccccc', c);
      const expected = '        800ms x 299ms y 2199ms a 799ms b 299ms i';
      const out$ = daemonPipeline(sources({ mutation$, fileChange$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        a: exportDone(1),
        b: exportDone(5),
        i: importDone(5),
      });
    });
    expect(effects.runs).toEqual([
      { kind: 'export', start: 0, end: 800 },
      { kind: 'import', start: 800, end: 1100 },
      { kind: 'export', start: 2500, end: 3300 },
      { kind: 'export', start: 3300, end: 4100 },
      { kind: 'import', start: 4100, end: 4400 },
    ]);
    expect(overlaps(effects.runs)).toEqual([]);
  });

  it('should run the start-up import only after the start-up export, when there is no other input', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 800, importMs: 300 });
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('|', m);
      const expected = '      800ms x 299ms y';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, { x: exportDone(1), y: importDone(1) });
    });
    expect(effects.runs).toEqual([
      { kind: 'export', start: 0, end: 800 },
      { kind: 'import', start: 800, end: 1100 },
    ]);
  });

  it('should still run the queued export and import after the 800 ms export fails', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, {
      exportMs: 800,
      importMs: 300,
      exportOutcome: (n) => {
        if (n === 1) throw new Error('EACCES: permission denied, open .beads/issues.jsonl.tmp');
        return EXPORTED;
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('  2000ms m 599ms mmmmm', m);
      const fileChange$ = cold('2600ms ccccc', c);
      const expected = '        800ms x 299ms y 2199ms f 799ms b 299ms i';
      const out$ = daemonPipeline(sources({ mutation$, fileChange$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        f: { type: 'export/failed', error: 'EACCES: permission denied, open .beads/issues.jsonl.tmp', code: 'EEFFECT', batched: 1 },
        b: exportDone(5),
        i: importDone(5),
      });
    });
    expect(overlaps(effects.runs)).toEqual([]);
  });

  it('should cancel the export in flight and start none of the queued effects when unsubscribed', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 800, importMs: 300 });
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('  2000ms m 599ms mmmmm', m);
      const fileChange$ = cold('2600ms ccccc', c);
      const unsub = '           3200ms !';
      const expected = '        800ms x 299ms y';
      const out$ = daemonPipeline(sources({ mutation$, fileChange$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent)), unsub).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
      });
    });
    expect(effects.runs).toEqual([
      { kind: 'export', start: 0, end: 800 },
      { kind: 'import', start: 800, end: 1100 },
      { kind: 'export', start: 2500, end: 3200 },
    ]);
  });
});
