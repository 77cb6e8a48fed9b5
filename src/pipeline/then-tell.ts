import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Passes each value on, then calls `tell` with it: unlike `tap`, whose callback runs before the
 * value goes downstream. The feedback loops need this order: `export/done` is logged before
 * the `sync/requested import: after export` it leads to.
 *
 * ```
 * source:  -a-b-|
 * result:  -a-b-|     tell(a) runs right after a is delivered, tell(b) after b
 * ```
 */
export function thenTell<T>(tell: (value: T) => void): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (value) => {
          subscriber.next(value);
          tell(value);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
