import { filter } from 'rxjs';
import type { DaemonEvent } from '../src/events/daemon-event';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { DaemonSignal, WatchEvent } from '../src/pipeline/daemon-sources';
import {
  EXPORTED,
  exportDone,
  fakeEffects,
  importDone,
  isOutcomeOrLifecycle,
  mutation,
  SETTINGS,
  sources,
  STOPPED,
  stopping,
  testScheduler,
} from './support/fake-daemon';

const m = { m: mutation('bd-a1b2') };
const c: Record<string, WatchEvent> = { c: { kind: 'change', path: '.beads/issues.jsonl' } };
const signals: Record<string, DaemonSignal> = { T: 'SIGTERM', I: 'SIGINT', H: 'SIGHUP' };
const mutated: DaemonEvent = { type: 'store/mutated', op: 'update', id: 'bd-a1b2' };
const changed: DaemonEvent = { type: 'fs/changed', path: '.beads/issues.jsonl' };

describe('shutdown', () => {
  it('should run a debounced export at once on SIGTERM, drop the debounced import, then stop and complete', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const mutation$ = hot('  100ms m 299ms m', m);
      const fileChange$ = hot('200ms c 299ms c', c);
      const signal$ = hot('    300ms T', signals);
      const subs = '           ^ 299ms !';
      const expected = '       (xy) 96ms m 99ms c 99ms (sez|)';
      const out$ = daemonPipeline(sources({ mutation$, fileChange$, signal$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        m: mutated,
        c: changed,
        s: stopping(),
        e: exportDone(1),
        z: STOPPED,
      });
      expectSubscriptions(mutation$.subscriptions).toBe(subs);
      expectSubscriptions(fileChange$.subscriptions).toBe(subs);
    });
    expect(effects.runs.map(({ kind, start }) => [kind, start])).toEqual([
      ['export', 0],
      ['import', 0],
      ['export', 300],
    ]);
  });

  it('should wait for the effect in flight on SIGINT, take no new work meanwhile, and drop the queued import', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 800, importMs: 400 });
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // Export 2,500–3,300 ms; its queued import (from the change at 2,100) is dropped at 2,900.
      const mutation$ = hot('  2000ms m 999ms m', m);
      const fileChange$ = hot('2100ms c 949ms c', c);
      const signal$ = hot('    2900ms I', signals);
      const subs = '           ^ 3299ms !';
      const expected = '       800ms x 399ms y 799ms m 99ms c 799ms s 399ms (ez|)';
      const out$ = daemonPipeline(sources({ mutation$, fileChange$, signal$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        m: mutated,
        c: changed,
        s: stopping('SIGINT'),
        e: exportDone(1),
        z: STOPPED,
      });
      expectSubscriptions(mutation$.subscriptions).toBe(subs);
    });
    expect(effects.runs).toEqual([
      { kind: 'export', start: 0, end: 800 },
      { kind: 'import', start: 800, end: 1200 },
      { kind: 'export', start: 2500, end: 3300 },
    ]);
  });

  it('should absorb a second signal during shutdown as signal/ignored, and stop once', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 800 });
    scheduler.run(({ hot, expectObservable }) => {
      const signal$ = hot('100ms H 99ms T 99ms T 99ms I', signals);
      const expected = '   100ms h 99ms s 99ms t 99ms i 399ms (ez|)';
      const out$ = daemonPipeline(sources({ signal$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isOutcomeOrLifecycle))).toBe(expected, {
        h: { type: 'signal/ignored', signal: 'SIGHUP' },
        s: stopping(),
        t: { type: 'signal/ignored', signal: 'SIGTERM' },
        i: { type: 'signal/ignored', signal: 'SIGINT' },
        e: exportDone(1),
        z: STOPPED,
      });
    });
    // The start-up import was queued behind the start-up export, and shutdown dropped it.
    expect(effects.runs.map((run) => run.kind)).toEqual(['export']);
  });

  it('should stop at once, running nothing, on SIGTERM with no work pending', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const signal$ = cold('1000ms T', signals);
      const expected = '    (xy) 996ms (sz|)';
      const out$ = daemonPipeline(sources({ signal$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, { x: exportDone(1), y: importDone(1), s: stopping(), z: STOPPED });
    });
    expect(effects.runs).toHaveLength(2);
  });

  it('should keep running when the signal source completes without a signal', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const signal$ = cold('  |', signals);
      const mutation$ = cold('1000ms m', m);
      const expected = '      (xy) 996ms m 499ms e';
      const out$ = daemonPipeline(sources({ signal$, mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, { x: exportDone(1), y: importDone(1), m: mutated, e: exportDone(1) });
    });
  });

  it('should still stop and complete when the export flushed at shutdown fails', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, {
      exportOutcome: (n) => {
        if (n === 1) throw new Error('ENOSPC: no space left on device');
        return EXPORTED;
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('100ms m', m);
      const signal$ = cold('  300ms T', signals);
      const expected = '      (xy) 296ms (sfz|)';
      const out$ = daemonPipeline(sources({ mutation$, signal$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isOutcomeOrLifecycle))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        s: stopping(),
        f: { type: 'export/failed', error: 'ENOSPC: no space left on device', code: 'EEFFECT', batched: 1 },
        z: STOPPED,
      });
    });
  });

  it('should cancel the effect in flight and emit no daemon/stopped when unsubscribed during shutdown', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 800 });
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const signal$ = hot('100ms T', signals);
      const unsub = '      500ms !';
      const subs = '       ^ 499ms !';
      const expected = '   100ms s';
      const out$ = daemonPipeline(sources({ signal$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$, unsub).toBe(expected, { s: stopping() });
      expectSubscriptions(signal$.subscriptions).toBe(subs);
    });
    expect(effects.runs).toEqual([{ kind: 'export', start: 0, end: 500 }]);
  });
});
