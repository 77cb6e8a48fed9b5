import { filter } from 'rxjs';
import type { DaemonEvent } from '../src/events/daemon-event';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import { exportRetry$ } from '../src/pipeline/export-retry';
import { EXPORTED, exportDone, fakeEffects, importDone, isEffectEvent, mutation, SETTINGS, sources, testScheduler } from './support/fake-daemon';

const failed = (code = 'ENOSPC', batched = 1): DaemonEvent => ({ type: 'export/failed', error: `${code}: no space left on device`, code, batched });
const F = failed();
const D = exportDone(1);
const S: DaemonEvent = { type: 'export/skipped', reason: 'no local changes', batched: 1 };
const retry = (attempt: number, delayMs: number, code = 'ENOSPC') => ({
  source: 'found',
  kind: 'export',
  reason: `export retry ${attempt} after ${delayMs} ms (${code})`,
});

describe('exportRetry$ (fault 2: the export retried with backoff)', () => {
  it('should ask for the export again after 1 s, then 2 s, then 4 s while it keeps failing', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      // Each retried export fails 100 ms after its retry fired.
      const event$ = hot('F 1099ms F 2099ms F', { F });
      expectObservable(exportRetry$(event$, scheduler)).toBe('1000ms a 2099ms b 4099ms c', {
        a: retry(1, 1000),
        b: retry(2, 2000),
        c: retry(3, 4000),
      });
    });
  });

  it('should cap the wait at 60 s', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const event$ = hot('FFFFFFF', { F });
      expectObservable(exportRetry$(event$, scheduler)).toBe('6ms 60s x', { x: retry(7, 60_000) });
    });
  });

  it('should reset and cancel the pending retry when an export writes the file or has nothing to write', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      // F@0 D@501 F@1002 S@1502 F@3503: the retries of 0 and 1002 are cancelled; 3503's is a first attempt again.
      const event$ = hot('F 500ms D 500ms F 499ms S 2s F', { F, D, S });
      expectObservable(exportRetry$(event$, scheduler)).toBe('4503ms a', { a: retry(1, 1000) });
    });
  });

  it('should ignore other events, end with its source and stop waiting when unsubscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      expectObservable(exportRetry$(cold('i-g-|', { i: importDone(1), g: { type: 'git/skipped', step: 'push', reason: 'nothing to push', batched: 1 } as DaemonEvent }), scheduler)).toBe('----|');
      expectObservable(exportRetry$(cold('--#'), scheduler)).toBe('--#');
      expectObservable(exportRetry$(hot('F', { F }), scheduler), '^ 500ms !').toBe('');
    });
  });
});

describe('the daemon pipeline after a failed export (fault 2)', () => {
  it('should export again on its own, 1 s then 2 s after each failure, until the export succeeds, with no new mutation', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, {
      exportOutcome: (n) => {
        // Run 0 is the start-up export; runs 1 and 2 hit a full disk; run 3 finds space again.
        if (n === 1 || n === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return EXPORTED;
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      // One mutation at 100 ms, then silence: every later export is the pipeline's own retry.
      const mutation$ = cold('100ms m', { m: mutation('bd-a1b2') });
      // 600: the debounced export fails; 1600: retry 1 asks, 2100: its debounced export fails;
      // 4100: retry 2 (2 s) asks, 4600: its export writes the file. Nothing after.
      const expected = '(xy) 596ms f 1499ms g 2499ms e';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      const enospc: DaemonEvent = { type: 'export/failed', error: 'ENOSPC: no space left on device, write', code: 'ENOSPC', batched: 1 };
      expectObservable(out$.pipe(filter(isEffectEvent)), '^ 20s !').toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        f: enospc,
        g: enospc,
        e: D,
      });
    });
    expect(effects.runs.filter((r) => r.kind === 'export').map((r) => r.start)).toEqual([0, 600, 2100, 4600]);
  });
});
