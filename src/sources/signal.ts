import type { EventEmitter } from 'node:events';
import { Observable } from 'rxjs';
import type { DaemonSignal } from '../pipeline/daemon-sources';

const SIGNALS: readonly DaemonSignal[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * SIGTERM, SIGINT and SIGHUP as values. While subscribed, these signals no longer end the
 * process by default (a listener replaces node's default action): the pipeline decides, e.g.
 * stop cleanly on SIGTERM, ignore SIGHUP. Unsubscribing removes exactly the listeners added.
 *
 *     kill -HUP, kill -TERM:  ---H----T--
 *     output:                 ---H----T--
 *
 * Under jest, `process` in a test file is a copy whose listeners signals never reach: pass the
 * host process (`vm.runInThisContext('process')`), as spec/sources/signal.spec.ts does.
 */
export function signal$(proc: EventEmitter = process): Observable<DaemonSignal> {
  return new Observable<DaemonSignal>((subscriber) => {
    const listeners = SIGNALS.map((signal) => {
      const listener = (): void => subscriber.next(signal);
      proc.on(signal, listener);
      return [signal, listener] as const;
    });
    return () => {
      for (const [signal, listener] of listeners) proc.off(signal, listener);
    };
  });
}
