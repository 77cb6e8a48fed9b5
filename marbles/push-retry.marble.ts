import type { GitOutcome } from '../src/git/effects/git-outcome';
import { pushRetry$ } from '../src/git/push-retry';
import { testScheduler } from './support/fake-daemon';

const R: GitOutcome = { kind: 'rejected', step: 'push', reason: 'fetch first' };
const P: GitOutcome = { kind: 'pushed', sha: 'abc', pulled: null };
const S: GitOutcome = { kind: 'skipped', step: 'push', reason: 'nothing to push' };
const C: GitOutcome = { kind: 'committed', sha: 'abc', issues: 1 };

describe('pushRetry$', () => {
  it('should retry a rejected push after 1 s, then 2 s, then 4 s while it keeps being rejected', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      // Each retry's push is rejected 100 ms after the retry fires.
      const outcome$ = hot('R 1099ms R 2099ms R', { R });
      expectObservable(pushRetry$(outcome$, scheduler)).toBe('1000ms a 2099ms b 4099ms c', {
        a: { attempt: 1, delayMs: 1000 },
        b: { attempt: 2, delayMs: 2000 },
        c: { attempt: 3, delayMs: 4000 },
      });
    });
  });

  it('should cap the wait at 60 s', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      // Seven rejections in a row, each right after the other: only the last one's retry fires.
      const outcome$ = hot('RRRRRRR', { R });
      expectObservable(pushRetry$(outcome$, scheduler)).toBe('6ms 60s x', { x: { attempt: 7, delayMs: 60_000 } });
    });
  });

  it('should reset the count and cancel the pending retry when a push goes through or finds nothing to push', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      // R@0 P@501 R@1002 S@1502 R@3503: the retries of 0 and 1002 are cancelled; 3503's is a first attempt again.
      const outcome$ = hot('R 500ms P 500ms R 499ms S 2s R', { R, P, S });
      expectObservable(pushRetry$(outcome$, scheduler)).toBe('4503ms a', { a: { attempt: 1, delayMs: 1000 } });
    });
  });

  it('should ignore outcomes of other steps, and end with its source', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(pushRetry$(cold('C-C-|', { C }), scheduler)).toBe('----|');
      expectObservable(pushRetry$(cold('--#', {}), scheduler)).toBe('--#');
    });
  });

  it('should stop waiting when unsubscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(pushRetry$(hot('R', { R }), scheduler), '^ 500ms !').toBe('');
    });
  });
});
