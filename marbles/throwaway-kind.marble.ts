import { throwError } from 'rxjs';
import { DAEMON_EFFECT_KINDS, effectKind, type EffectEventOf, type LaneRequest } from '../src/pipeline/effect-kinds';
import { serialLane } from '../src/pipeline/serial-lane';
import { exportDone, fakeEffects, importDone, testScheduler } from './support/fake-daemon';
import { type TouchOutcome, touchEffect } from './support/touch-effect';

/**
 * A kind added in one table row plus its effect file (support/touch-effect.ts): the lane runs
 * it in its turn, coalesces its requests, reports `touch/done` / `touch/failed`, and drops it
 * at stop, with no other change anywhere. The git kinds are added the same way.
 */
const KINDS = {
  ...DAEMON_EFFECT_KINDS,
  touch: effectKind<TouchOutcome>({ priority: 1.5, dropOnStop: true, reported: true }),
};
type Kind = keyof typeof KINDS;
type Event = EffectEventOf<typeof KINDS>;

const requests: Record<string, LaneRequest<Kind>> = {
  E: { kind: 'export', batched: 1 },
  I: { kind: 'import', batched: 1 },
  T: { kind: 'touch', batched: 1 },
  U: { kind: 'touch', batched: 1, ids: [9] },
};

describe('a throwaway effect kind (one table row plus its effect file)', () => {
  it('should run the new kind after export and import (its priority), coalesced, reported as touch/done', () => {
    const scheduler = testScheduler();
    const fake = fakeEffects(scheduler, { exportMs: 5, importMs: 5 });
    const effects = { ...fake.effects, touch: touchEffect(scheduler, 3) };
    scheduler.run(({ cold, expectObservable }) => {
      // While the first export runs: two touches, an import and an export arrive.
      const request$ = cold('ETUIE|', requests);
      const expected = '     -----a----b----i--(t|)';
      const outcomes: Record<string, Event> = {
        a: exportDone(1) as Event,
        b: exportDone(1) as Event,
        i: importDone(1) as Event,
        t: { type: 'touch/done', touched: 2, batched: 2, requests: [9] },
      };
      expectObservable(request$.pipe(serialLane({ effects, kinds: KINDS }))).toBe(expected, outcomes);
    });
  });

  it('should report a failing run of the new kind as touch/failed with its code, and go on', () => {
    const scheduler = testScheduler();
    const fake = fakeEffects(scheduler);
    const effects = {
      ...fake.effects,
      touch: () => throwError(() => Object.assign(new Error('spawn git ENOENT'), { code: 'ENOENT' })),
    };
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('T-E|', requests);
      const expected = '     f-a|';
      expectObservable(request$.pipe(serialLane({ effects, kinds: KINDS }))).toBe(expected, {
        f: { type: 'touch/failed', error: 'spawn git ENOENT', code: 'ENOENT', batched: 1 },
        a: exportDone(1) as Event,
      });
    });
  });

  it('should drop pending and later runs of the new kind once stopped (dropOnStop), and still finish the export in flight', () => {
    const scheduler = testScheduler();
    const fake = fakeEffects(scheduler, { exportMs: 5 });
    const effects = { ...fake.effects, touch: touchEffect(scheduler, 3) };
    scheduler.run(({ cold, hot, expectObservable }) => {
      const request$ = cold('ET-T|', requests);
      const stop$ = hot('    --s');
      const expected = '     -----(a|)';
      expectObservable(request$.pipe(serialLane({ effects, kinds: KINDS }, { stop$ }))).toBe(expected, {
        a: exportDone(1) as Event,
      });
    });
  });
});
