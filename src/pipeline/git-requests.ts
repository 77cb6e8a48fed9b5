import { EMPTY, filter, groupBy, identity, map, merge, mergeMap, type MonoTypeOperatorFunction, type Observable, type SchedulerLike, startWith, switchMap, timer, withLatestFrom } from 'rxjs';
import type { DaemonEvent } from '../events/daemon-event';
import type { GitOutcome } from '../git/effects/git-outcome';
import { pushRetry$ } from '../git/push-retry';
import { remoteTicks$ } from './remote-ticks';
import type { DaemonInput } from './daemon-input';
import type { LaneRequest, DaemonEffectKind } from './effect-kinds';

/** What the pipeline does with git: the settings' loops (see {@link gitFeedbackOf}, {@link laterInputs$}). */
export interface GitLoops {
  /** An `export/done` asks for a git run (commit, and push with auto-push: the runner knows). */
  autoCommit: boolean;
  /** Every `remoteSyncIntervalMs` (0: never) asks for a git run (a fetch). */
  autoPull: boolean;
  remoteSyncIntervalMs: number;
  /**
   * The run after an export pushes: the export then starts early by what a push costs, so the
   * push lands by the export's deadline (see `pushLeadFor`). Absent: false.
   */
  autoPush?: boolean;
}

/** The reason an export or import skips while git is mid-operation starts with this. */
export const GIT_BUSY = 'git busy';

export const GIT_REQUEST: LaneRequest<DaemonEffectKind> = { kind: 'git', batched: 1 };

/** The reason of the git work an `export/done` feeds back. */
const AFTER_EXPORT = 'after export';

/** Work the git run serves: what the loops feed back, and explicit `git` requests. */
export function isGitWork(input: DaemonInput): boolean {
  return (input.source === 'found' && input.kind === 'git') || (input.source === 'trigger' && input.trigger.kind === 'git');
}

/** The loop that makes a daemon commit: each export that wrote the file is followed by a git run. */
export function gitFeedbackOf(event: DaemonEvent, loops: GitLoops | undefined): DaemonInput | undefined {
  if (loops?.autoCommit && event.type === 'export/done') return { source: 'found', kind: 'git', reason: AFTER_EXPORT };
  return undefined;
}

/**
 * While git is failing (the last git outcome was `git/failed`: the remote unreachable, a
 * credential refused …; or `git/rejected`: a push the remote declined, which the push retry's
 * backoff asks for again), the git runs exports ask for are dropped: the next remote-sync tick,
 * the failure's `retry_at`, tries again, and commits whatever was exported meanwhile. A fault
 * then costs one failure per interval instead of one per write. Any other git outcome lifts
 * it. Without a tick to retry on (no auto-pull, interval 0) nothing is held.
 *
 * ```
 * event$ : -F-------P---      F git/failed, P git/pushed
 * input$ : e--e--e----e-      e git work "after export"
 * result : e----------e-
 * ```
 */
export function holdWhileGitFails(event$: Observable<DaemonEvent>, loops: GitLoops | undefined): MonoTypeOperatorFunction<DaemonInput> {
  if (!loops?.autoPull || loops.remoteSyncIntervalMs <= 0) return identity;
  const failing$ = event$.pipe(
    filter((e) => e.type.startsWith('git/')),
    map((e) => e.type === 'git/failed' || e.type === 'git/rejected'),
    startWith(false),
  );
  return (input$) =>
    input$.pipe(
      withLatestFrom(failing$),
      filter(([input, failing]) => !(failing && input.source === 'found' && input.kind === 'git' && input.reason === AFTER_EXPORT)),
      map(([input]) => input),
    );
}

/**
 * The remote-sync ticks as git requests (`remote$`); none without auto-pull. `period$`: the
 * period in force (see `fetchPeriodFor`); without it, the interval.
 */
export function remoteRequests$(loops: GitLoops | undefined, scheduler: SchedulerLike, period$?: Observable<number>): Observable<LaneRequest<DaemonEffectKind>> {
  return loops?.autoPull ? remoteTicks$(loops.remoteSyncIntervalMs, scheduler, period$).pipe(map(() => GIT_REQUEST)) : EMPTY;
}

/** What one outcome asks for again once git has had time to finish, or undefined. */
function retryOf(event: DaemonEvent): DaemonInput | undefined {
  if (event.type === 'export/skipped' && event.reason.startsWith(GIT_BUSY)) return { source: 'found', kind: 'export', reason: event.reason };
  if (event.type === 'import/skipped' && event.reason.startsWith(GIT_BUSY)) {
    return { source: 'trigger', trigger: { kind: 'import', reason: event.reason } };
  }
  // `diverged` waits for the user (a pull without auto-commit): asking again changes nothing.
  if (event.type === 'git/waiting' && event.reason !== 'diverged') return { source: 'found', kind: 'git', reason: `git was busy: ${event.reason}` };
  return undefined;
}

function outcomeOf(event: DaemonEvent): GitOutcome | undefined {
  if (!event.type.startsWith('git/')) return undefined;
  const { type, batched: _b, requests: _r, ...rest } = event as DaemonEvent & { batched?: number; requests?: unknown };
  return { ...rest, kind: type.slice(4) } as GitOutcome;
}

/**
 * The delayed loops, from the lane's events to inputs, on the injected scheduler:
 *
 * - an export or import skipped because git is busy, and a `git/waiting`, ask for the same run
 *   again `busyRetryMs` later (a poll: git says nothing when a rebase ends). Any other outcome
 *   of the kind cancels a retry still pending, so one wait costs one retry at a time.
 * - a `git/rejected` push asks for a git run after {@link pushRetry$}'s backoff (1 s, 2 s … 60 s).
 *
 * ```
 * event$: -w-----c---R------     w = git/waiting, c = git/committed, R = git/rejected
 * result: ---g----------g---     busyRetryMs 2, first push retry after 4 (units of 250 ms)
 * ```
 */
export function laterInputs$(event$: Observable<DaemonEvent>, busyRetryMs: number, scheduler: SchedulerLike): Observable<DaemonInput> {
  const busy$ = event$.pipe(
    groupBy((e) => e.type.slice(0, e.type.indexOf('/'))),
    mergeMap((kind$) =>
      kind$.pipe(
        switchMap((e) => {
          const again = retryOf(e);
          return again ? timer(busyRetryMs, scheduler).pipe(map(() => again)) : EMPTY;
        }),
      ),
    ),
  );
  const outcome$ = event$.pipe(
    map(outcomeOf),
    mergeMap((o) => (o ? [o] : [])),
  );
  const push$ = pushRetry$(outcome$, scheduler).pipe(
    map((r): DaemonInput => ({ source: 'found', kind: 'git', reason: `push retry ${r.attempt} after ${r.delayMs} ms` })),
  );
  return merge(busy$, push$);
}
