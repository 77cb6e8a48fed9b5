import type { Observable } from 'rxjs';
import type { LoggedEvent } from '../events/daemon-event';

export interface RecentEvents {
  /** The last `capacity` events, oldest first. */
  events(): LoggedEvent[];
  stop(): void;
}

/**
 * A bounded replay of `events$` for tabs opened late. Ring buffer: memory stays at `capacity`
 * events however long the daemon runs.
 */
export function recordRecentEvents(events$: Observable<LoggedEvent>, capacity: number): RecentEvents {
  const ring: LoggedEvent[] = new Array(capacity);
  let next = 0;
  let size = 0;
  const sub = events$.subscribe((e) => {
    ring[next] = e;
    next = (next + 1) % capacity;
    if (size < capacity) size++;
  });
  return {
    events: () => {
      const out: LoggedEvent[] = [];
      for (let i = 0; i < size; i++) out.push(ring[(next - size + i + capacity) % capacity]);
      return out;
    },
    stop: () => sub.unsubscribe(),
  };
}
