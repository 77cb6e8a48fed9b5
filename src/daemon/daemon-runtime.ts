import { EmptyError, firstValueFrom, type Observable, ReplaySubject, Subject } from 'rxjs';
import type { EffectEvent, LoggedEvent } from '../events/daemon-event';
import type { DaemonSignal, SyncTrigger } from '../pipeline/daemon-sources';
import type { SyncKind } from '../pipeline/effect-kinds';
import type { BeadsStore, StoreMutation } from '../store/beads-store';
import type { WorkspacePaths } from '../workspace/workspace-paths';
import { answerTo } from './answer-to';
import type { ResolvedSettings } from './daemon-settings';
import { type DaemonStats, initialStats, reduceStats } from './daemon-stats';

/**
 * What the running daemon shares with the servers attached to it (RPC now, a dashboard later):
 * read its state, follow its events, ask it for a sync, stop it. Everything a server may do
 * goes through here; none of them reaches into the pipeline.
 */
export interface DaemonRuntime {
  store: BeadsStore;
  paths: WorkspacePaths;
  settings: ResolvedSettings;
  startedAt: number;
  /** Paths the watcher watches (empty in poll mode). */
  watched: string[];
  /** Every event as it is logged, from now on (hot; completes when the daemon stops). */
  events$: Observable<LoggedEvent>;
  /** The last {@link EVENT_REPLAY} events, then every new one: for a subscriber that attaches late. */
  replay$: Observable<LoggedEvent>;
  /** Counts folded from the events (`daemon status --verbose`). */
  stats(): DaemonStats;
  /** The last {@link MUTATION_RING} store writes, oldest first. */
  mutations(): readonly StoreMutation[];
  /**
   * Asks the pipeline for an import or export (through its serial lane, debounced like any
   * other trigger) and resolves with the event of the run that served this very request, even
   * when other runs of the kind finish first. Rejects if the daemon stops before it ran.
   */
  requestSync(kind: SyncKind, reason: string): Promise<EffectEvent & { ts: string }>;
  /** Begins a graceful stop, as SIGTERM would. */
  shutdown(): void;
  /** With `--dashboard`: its URL, token included; set by the dashboard once it listens. */
  dashboardUrl?: string;
}

/** A server that attaches to the runtime (the RPC socket, a dashboard): started once, closed at stop. */
export interface DaemonAttachment {
  start(runtime: DaemonRuntime): Promise<{ close(): Promise<void> }>;
}

export const MUTATION_RING = 1000;
export const EVENT_REPLAY = 200;

export class DaemonStoppedError extends Error {
  constructor(kind: string) {
    super(`the daemon stopped before the ${kind} it was asked for ran: run the command again (it runs directly without a daemon)`);
    this.name = 'DaemonStoppedError';
  }
}

/** The runtime and the inputs it feeds into the pipeline; `record` is the one subscriber's sink. */
export interface RuntimeParts {
  runtime: DaemonRuntime;
  /** Explicit sync requests made through {@link DaemonRuntime.requestSync}. */
  trigger$: Observable<SyncTrigger>;
  /** A stop asked for through {@link DaemonRuntime.shutdown}. */
  shutdown$: Observable<DaemonSignal>;
  /** Folds a logged event into the stats and hands it to followers. */
  record(event: LoggedEvent): void;
  /** The daemon has stopped: followers complete, pending requests reject, the ring stops recording. */
  close(): void;
}

export function createDaemonRuntime(init: Pick<DaemonRuntime, 'store' | 'paths' | 'settings' | 'watched'>): RuntimeParts {
  const live = new Subject<LoggedEvent>();
  const recent = new ReplaySubject<LoggedEvent>(EVENT_REPLAY);
  const trigger = new Subject<SyncTrigger>();
  const shutdown = new Subject<DaemonSignal>();
  let stats = initialStats(init.settings.mode);
  let lastId = 0;
  const ring: StoreMutation[] = [];
  const stopRecording = init.store.onMutation((m) => {
    ring.push(m);
    if (ring.length > MUTATION_RING) ring.shift();
  });

  const runtime: DaemonRuntime = {
    ...init,
    startedAt: Date.now(),
    events$: live.asObservable(),
    replay$: recent.asObservable(),
    stats: () => stats.stats,
    mutations: () => ring,
    requestSync: (kind, reason) => {
      const id = ++lastId;
      // Listening before asking: the answer cannot come before the request, but never miss it.
      const answer = firstValueFrom(live.pipe(answerTo(id))).catch((err: unknown) => {
        throw err instanceof EmptyError ? new DaemonStoppedError(kind) : err;
      });
      trigger.next({ kind, reason, id });
      return answer;
    },
    shutdown: () => shutdown.next('SIGTERM'),
  };

  return {
    runtime,
    trigger$: trigger.asObservable(),
    shutdown$: shutdown.asObservable(),
    record: (event) => {
      stats = reduceStats(stats, event);
      recent.next(event);
      live.next(event);
    },
    close: () => {
      stopRecording();
      recent.complete();
      live.complete();
    },
  };
}
