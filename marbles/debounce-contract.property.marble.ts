import fc from 'fast-check';
import { debounceTime, ignoreElements, map, merge, NEVER, type Observable, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { debounceWithMaxWait } from '../src/pipeline/debounce-with-max-wait';

/** A source: values 0, 1, 2, … at `gaps` apart (virtual ms), then optionally completion. */
interface Timing {
  dueMs: number;
  gaps: number[];
  /** Completes this long after the last value, or never. */
  completeAfter: number | null;
}

interface Emission<T> {
  t: number;
  value: T;
}

const timing = fc.record({
  dueMs: fc.integer({ min: 1, max: 20 }),
  gaps: fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 30 }),
  completeAfter: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
});

/** Runs both operators on the same cold source in virtual time; returns what each emitted, and when. */
function run({ dueMs, gaps, completeAfter }: Timing, maxWaitMs: number) {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const times: number[] = [];
  const ours: Array<Emission<number[]>> = [];
  const rxjs: Array<Emission<number>> = [];
  scheduler.run(() => {
    let t = 0;
    for (const gap of gaps) times.push((t += gap));
    // Cold: each subscriber gets its own timers, scheduled in value order (equal times keep it).
    const source$: Observable<number> = merge(
      ...times.map((at, value) => timer(at, scheduler).pipe(map(() => value))),
      completeAfter === null ? NEVER : timer(t + completeAfter, scheduler).pipe(ignoreElements()),
    );
    source$.pipe(debounceWithMaxWait(dueMs, maxWaitMs, scheduler)).subscribe((value) => ours.push({ t: scheduler.now(), value }));
    source$.pipe(debounceTime(dueMs, scheduler)).subscribe((value) => rxjs.push({ t: scheduler.now(), value }));
  });
  return { times, ours, rxjs };
}

/**
 * `debounceTime` is the contract (the design names `debounceTime(BEADS_DEBOUNCE_MS)`): the
 * daemon's `debounceWithMaxWait` is proved, for any timing of events, to emit what RxJS's
 * `debounceTime(d, scheduler)` emits (same virtual times; the batch's last value is the value
 * debounceTime emits), except for the max-wait cuts.
 */
describe('debounceWithMaxWait against debounceTime (property)', () => {
  it('should emit exactly what debounceTime emits, at the same virtual times, when the max wait never cuts', () => {
    fc.assert(
      fc.property(timing, (tm) => {
        const { ours, rxjs } = run(tm, 1e9);
        expect(ours.map((e) => ({ t: e.t, value: e.value.at(-1) }))).toEqual(rxjs);
      }),
      { numRuns: 500 },
    );
  });

  it('should differ from debounceTime only by max-wait cuts, and lose or repeat no value', () => {
    fc.assert(
      fc.property(timing, fc.integer({ min: 0, max: 80 }), (tm, extra) => {
        const maxWaitMs = tm.dueMs + extra;
        const { times, ours, rxjs } = run(tm, maxWaitMs);
        const isMaxCut = (e: Emission<number[]>) =>
          e.t === times[e.value[0]] + maxWaitMs && !rxjs.some((d) => d.t === e.t && d.value === e.value.at(-1));
        // Every emission is debounceTime's, or a max-wait cut 'maxWaitMs' after its batch's first value.
        for (const e of ours) {
          const asDebounce = rxjs.some((d) => d.t === e.t && d.value === e.value.at(-1));
          expect(asDebounce || isMaxCut(e)).toBe(true);
        }
        // Every debounceTime emission is ours too, unless a max-wait cut already let its value out.
        for (const d of rxjs) {
          const same = ours.some((e) => e.t === d.t && e.value.at(-1) === d.value);
          const cut = ours.some((e) => isMaxCut(e) && e.value.includes(d.value));
          expect(same || cut).toBe(true);
        }
        // The batches, in order, are the source's values (all of them once it completes).
        const all = ours.flatMap((e) => e.value);
        expect(all).toEqual(tm.completeAfter === null ? all.map((_, i) => i) : times.map((_, i) => i));
      }),
      { numRuns: 500 },
    );
  });
});
