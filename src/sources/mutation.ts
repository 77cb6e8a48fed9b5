import { Observable } from 'rxjs';
import type { Mutation } from '../pipeline/daemon-sources';
import type { BeadsStore } from '../store/beads-store';

/** Every write that goes through the store, as it commits. */
export function mutation$(store: BeadsStore): Observable<Mutation> {
  return new Observable<Mutation>((subscriber) => store.onMutation((m) => subscriber.next(m)));
}
