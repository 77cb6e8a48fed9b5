import {
  connect,
  defer,
  EMPTY,
  endWith,
  filter,
  from,
  ignoreElements,
  interval,
  map,
  merge,
  type Observable,
  of,
  Subject,
  switchMap,
  take,
  takeUntil,
} from 'rxjs';
import type { DaemonEvent } from '../events/daemon-event';
import { daemonInput, type DaemonInput, isExportWork, isImportWork, isSignal, isWatchError, requestIdOf, safetyStop } from './daemon-input';
import type { DaemonDeps, DaemonSignal, DaemonSources } from './daemon-sources';
import { debounceWithMaxWait } from './debounce-with-max-wait';
import type { DaemonEffectKind, LaneRequest } from './effect-kinds';
import { exportRequests, requestOfBatch } from './export-requests';
import { exportCostOf, feedbackOf } from './feedback';
import { adaptiveLead } from './adaptive-lead';
import { GIT_REQUEST, gitFeedbackOf, holdWhileGitFails, isGitWork, laterInputs$, remoteRequests$ } from './git-requests';
import { exportRetry$ } from './export-retry';
import { fetchPeriodFor, type GitCost, gitCostOf, type GitFailing, gitLead, pushLeadFor } from './git-leads';
import { serialLane } from './serial-lane';
import { thenTell } from './then-tell';

/** Why the daemon stops: a signal, or a failure it cannot work around. */
type StopCause =
  | { signal: DaemonSignal }
  | { fatal: { code: string; message: string; watcher: boolean } };

/**
 * The daemon as one stream: sources in, events out. Never errors; completes after a stop, or
 * once every source has completed (then both pending batches are flushed, like any debounce).
 *
 * ```
 * mutation$: -----m-m-----------m-----------   debounceMs 5; effects finish at once;
 *                                               recheckAfterExport off
 * signal$:   ----------------------T---------
 * result:    (xy)-a-a----e------a--(sfz|)       x, y = start-up export, import
 *                                               a = store/mutated
 *                                               e = export/done batched 2
 *                                               s = daemon/stopping {SIGTERM}
 *                                               f = export/done batched 1 (flushed at once)
 *                                               z = daemon/stopped
 * ```
 *
 * - Start-up: one export and one import request, undebounced; the effects themselves report
 *   `skipped` when nothing changed. The watcher's `ready` asks for one more import (logged as
 *   `sync/requested import: watcher ready`): changes made before the watches were in place.
 * - Feedback (see {@link feedbackOf}): an `export/done` asks for an import a debounce later
 *   (`recheckAfterExport`), an `import/done` with `needs_export` is export work. The events
 *   re-enter as inputs right after they are emitted, until the daemon stops.
 * - An explicit request's `id` is carried through the debounce and the lane into the
 *   `requests` of the event of the run that served it, so a caller waits for its own answer.
 * - Mutations and explicit export triggers feed the export debounce; file changes, poll ticks
 *   and explicit import triggers feed the import debounce (`debounceMs`, capped by `maxWaitMs`).
 *   Explicit triggers are debounced too: a git hook's `import-needed` and the watcher see the
 *   same write, and should cost one import, not two.
 * - With `prepareLeadMs`, export work quiet for `debounceMs - prepareLeadMs` also asks for a
 *   prepare (see {@link exportRequests}): the export's slow part, done ahead, reporting nothing.
 * - Git leads (see git-leads.ts), from the git row's own `run_ms`: with auto-push the export
 *   (and the push after it) starts early by what a clean push costs, so the push lands by the
 *   debounce deadline; with auto-pull each remote-sync tick comes the interval less what a pull
 *   costs after the previous one, so a push landing at any moment is imported within the
 *   interval.
 * - Effects run one at a time through {@link serialLane}.
 * - Watcher error: `watcher/failed`; with `watcherFallback` the first one also switches to
 *   polling (`mode/poll` once). Without fallback it is fatal (`fatal: true`). An error thrown by a
 *   source Observable counts as a watcher error (`fileChange$`) or as fatal (the others).
 * - Safety check (`safety$`): a JSONL change the watcher missed is import work (logged as
 *   `sync/requested import: safety check …`); a deleted or replaced DB, or a workspace gone,
 *   is fatal: `daemon/failed {code: EDBDELETED | EDBREPLACED | EWORKSPACEGONE}`.
 * - SIGHUP: `signal/ignored`. SIGTERM/SIGINT: `daemon/stopping`. A fatal failure stops the same
 *   way but reports `watcher/failed {fatal: true}` (the watcher) or `daemon/failed` (any other
 *   source) instead of `daemon/stopping`. Stopping means:
 *   no new work is taken, the pending debounced export runs now, the pending import and
 *   prepare are dropped (the next start imports a changed JSONL anyway), the effect in flight
 *   is awaited, then `daemon/stopped` and completion.
 */
export function daemonPipeline(sources: DaemonSources, deps: DaemonDeps): Observable<DaemonEvent> {
  const { scheduler, debounceMs, maxWaitMs, pollIntervalMs } = deps;
  const watcherFatal = deps.mode === 'events' && !deps.watcherFallback;

  const recheckAfterExport = deps.recheckAfterExport === true;

  const requests = (kind: DaemonEffectKind) => (work$: Observable<number | undefined>) =>
    work$.pipe(debounceWithMaxWait(debounceMs, maxWaitMs, scheduler), map(requestOfBatch(kind)));

  return defer(() => {
    // Where effect outcomes re-enter as inputs. Local to one subscription, like the stream.
    const found = new Subject<DaemonInput>();
    // The lane's events, for the loops that answer one later (git busy, push backoff).
    const laneEvent = new Subject<DaemonEvent>();
    const later$ = merge(laterInputs$(laneEvent, deps.busyRetryMs ?? 1000, scheduler), exportRetry$(laneEvent, scheduler));
    const gitOn = deps.git !== undefined && (deps.git.autoCommit || deps.git.autoPull);
    // What the latest exports cost to write (ms), reported by the exports themselves: the
    // write-ahead lead follows it (see adaptiveLead).
    const exportCost = new Subject<number>();
    const lead$ = exportCost.pipe(adaptiveLead(debounceMs, deps.prepareLeadMs));
    // What the git runs cost, reported by the git row itself: with auto-push the export starts
    // early by a push, and the remote-sync period is the interval less a pull (see git-leads.ts).
    const gitCost$ = laneEvent.pipe(
      map(gitCostOf),
      filter((c): c is GitCost | GitFailing => c !== undefined),
    );
    const pushLead$ = deps.git?.autoPush ? gitCost$.pipe(gitLead((costs) => pushLeadFor(costs, debounceMs))) : of(0);
    const fetchPeriod$ = gitCost$.pipe(gitLead((costs) => fetchPeriodFor(costs, deps.git?.remoteSyncIntervalMs ?? 0)));
    return daemonInput(sources).pipe(
      // connect, not share: every consumer below is subscribed before the sources are, so a
      // source that emits synchronously on subscribe is still seen by all of them.
      connect((source$) => {
        // Feedback ends with the sources: once they have all completed, the pipeline drains.
        const input$ = merge(source$, merge(found, later$).pipe(takeUntil(source$.pipe(ignoreElements(), endWith(true)))));
        const stop$ = input$.pipe(
          map((input) => stopCauseOf(input, watcherFatal)),
          filter((cause): cause is StopCause => cause !== undefined),
          take(1),
        );
        // takeUntil subscribes to stop$ before input$, so the input that stops the daemon is
        // never also treated as work. The sources stay subscribed until completion, only so a
        // second SIGTERM during shutdown still lands in a handler instead of killing the process.
        const running$ = input$.pipe(takeUntil(stop$));
        const runningEnd$ = running$.pipe(ignoreElements(), endWith(true));

        const pollReason$: Observable<string> =
          deps.mode === 'poll'
            ? of('configured')
            : deps.watcherFallback
              ? running$.pipe(filter(isWatchError), take(1), map((input) => input.event.code))
              : EMPTY;
        const pollTick$ = pollReason$.pipe(
          switchMap(() => interval(pollIntervalMs, scheduler)),
          takeUntil(runningEnd$),
        );

        const request$: Observable<LaneRequest<DaemonEffectKind>> = merge(
          // running$ completes at stop, and the debounce flushes on completion: the pending
          // export runs at once.
          running$.pipe(filter(isExportWork), exportRequests(deps, scheduler, requestIdOf, lead$, pushLead$)),
          // takeUntil after the debounce: at stop the pending import is dropped, not flushed.
          merge(running$.pipe(filter(isImportWork), map(requestIdOf)), pollTick$.pipe(map(() => undefined))).pipe(
            requests('import'),
            takeUntil(stop$),
          ),
          // Git work is not debounced: what feeds it (an export, a tick, a retry) already is, and
          // the lane runs pending git requests as one.
          running$.pipe(
            filter(isGitWork),
            holdWhileGitFails(laneEvent, deps.git),
            map((input): LaneRequest<DaemonEffectKind> => {
              const id = requestIdOf(input);
              return id === undefined ? GIT_REQUEST : { ...GIT_REQUEST, ids: [id] };
            }),
          ),
          remoteRequests$(deps.git, scheduler, fetchPeriod$).pipe(takeUntil(stop$)),
          // Last: the start-up requests run at once, and what they report feeds back into the
          // branches above, which must be listening by then. With git sync on, a git run
          // follows (commit what is not committed yet, fetch).
          from<LaneRequest<DaemonEffectKind>[]>([{ kind: 'export', batched: 1 }, { kind: 'import', batched: 1 }, ...(gitOn ? [GIT_REQUEST] : [])]),
        );

        const sideEvent$: Observable<DaemonEvent> = merge(
          running$.pipe(
            map(passThroughEvent),
            filter((event): event is DaemonEvent => event !== undefined),
          ),
          pollReason$.pipe(map((reason): DaemonEvent => ({ type: 'mode/poll', reason, intervalMs: pollIntervalMs }))),
          stop$.pipe(map(stopEvent)),
          // Subscribed during the stop emission, so it only sees the signals after it.
          stop$.pipe(
            switchMap(() => input$.pipe(filter(isSignal))),
            map((input): DaemonEvent => ({ type: 'signal/ignored', signal: input.signal })),
          ),
        );

        return request$.pipe(
          serialLane(deps, { stop$ }),
          // After the event has gone out (its log line first), what it calls for re-enters.
          thenTell((event) => {
            const next = feedbackOf(event, recheckAfterExport);
            if (next) found.next(next);
            const git = gitFeedbackOf(event, deps.git);
            if (git) found.next(git);
            laneEvent.next(event);
            const cost = exportCostOf(event);
            if (cost !== undefined) exportCost.next(cost);
          }),
          // Side events are subscribed to input$ before the lane's requests are, so for any one
          // input they come out first: `daemon/stopping` precedes the export it flushes.
          connect((effectEvent$) =>
            merge(
              sideEvent$.pipe(takeUntil(effectEvent$.pipe(ignoreElements(), endWith(true)))),
              effectEvent$,
            ),
          ),
          endWith<DaemonEvent>({ type: 'daemon/stopped' }),
        );
      }),
    );
  });
}

function stopCauseOf(input: DaemonInput, watcherFatal: boolean): StopCause | undefined {
  switch (input.source) {
    case 'signal':
      return input.signal === 'SIGHUP' ? undefined : { signal: input.signal };
    case 'failed':
      return { fatal: { code: input.code, message: input.message, watcher: false } };
    case 'safety': {
      const stop = safetyStop(input.finding);
      return stop ? { fatal: { ...stop, watcher: false } } : undefined;
    }
    case 'watch':
      return watcherFatal && input.event.kind === 'error'
        ? { fatal: { code: input.event.code, message: input.event.message, watcher: true } }
        : undefined;
    default:
      return undefined;
  }
}

function stopEvent(cause: StopCause): DaemonEvent {
  return 'signal' in cause
    ? { type: 'daemon/stopping', signal: cause.signal }
    : cause.fatal.watcher
      ? { type: 'watcher/failed', code: cause.fatal.code, message: cause.fatal.message, fatal: true }
      : { type: 'daemon/failed', code: cause.fatal.code, message: cause.fatal.message };
}

/** What the log shows for an input while running (stop causes never get here). */
function passThroughEvent(input: DaemonInput): DaemonEvent | undefined {
  switch (input.source) {
    case 'watch':
      switch (input.event.kind) {
        case 'change':
          return { type: 'fs/changed', path: input.event.path };
        case 'ready':
          return { type: 'sync/requested', kind: 'import', reason: 'watcher ready' };
        case 'error':
          return { type: 'watcher/failed', code: input.event.code, message: input.event.message, fatal: false };
      }
      return undefined;
    case 'mutation':
      return { type: 'store/mutated', op: input.mutation.op, id: input.mutation.id };
    case 'trigger':
      return { type: 'sync/requested', kind: input.trigger.kind, reason: input.trigger.reason };
    case 'signal':
      return { type: 'signal/ignored', signal: input.signal };
    case 'safety':
      return { type: 'sync/requested', kind: 'import', reason: 'safety check: the JSONL changed unreported' };
    case 'failed':
    case 'found':
      return undefined;
  }
}
