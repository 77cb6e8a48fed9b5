import type { LoggedEvent } from '../events/daemon-event';
import { isEffectEvent } from '../events/describe-effect';
import { foldGitStatus, type GitEvent, type GitStatus, INITIAL_GIT_STATUS } from '../git/effects/git-events';
import { DAEMON_EFFECT_KINDS, type SyncKind } from '../pipeline/effect-kinds';

/** How the runs of one effect kind ended. */
export interface EffectRunCounts {
  done: number;
  skipped: number;
  failed: number;
}

/** What `bd-rx daemon status --verbose` reports, folded from the event log. */
export interface DaemonStats {
  file_changes: number;
  mutations: number;
  exports: number;
  /** Mutations (and other export triggers) the exports served. */
  exports_batched_from: number;
  imports: number;
  /** File changes (and poll ticks, explicit requests) the imports served. */
  imports_batched_from: number;
  skipped_imports: number;
  errors: number;
  watcher_status: 'active' | 'polling' | 'failed' | 'off';
  events_received: number;
  last_sync_at: string | null;
  last_error: string | null;
  latency_ms: { samples: number; p50: number | null; p99: number | null };
  /** Per reported kind of the lane's table (export, import, and any kind added there). */
  effect_runs: Record<SyncKind, EffectRunCounts>;
  /** Git sync: last commit, last push, ahead/behind, state and last error (folded from `git/*`). */
  git: GitStatus;
}

export interface StatsState {
  stats: DaemonStats;
  /** Times (ms) of mutations not yet in an export. */
  pending: number[];
  /** Recent mutation → export latencies (ms), newest last. */
  latencies: number[];
}

const MAX_SAMPLES = 1000;

export function initialStats(mode: 'events' | 'poll'): StatsState {
  return {
    stats: {
      file_changes: 0,
      mutations: 0,
      exports: 0,
      exports_batched_from: 0,
      imports: 0,
      imports_batched_from: 0,
      skipped_imports: 0,
      errors: 0,
      watcher_status: mode === 'events' ? 'active' : 'off',
      events_received: 0,
      last_sync_at: null,
      last_error: null,
      latency_ms: { samples: 0, p50: null, p99: null },
      effect_runs: Object.fromEntries(
        Object.entries(DAEMON_EFFECT_KINDS)
          .filter(([, row]) => row.reported)
          .map(([kind]) => [kind, { done: 0, skipped: 0, failed: 0 }]),
      ) as Record<SyncKind, EffectRunCounts>,
      git: INITIAL_GIT_STATUS,
    },
    pending: [],
    latencies: [],
  };
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

/** Folds one event into the statistics (mutates and returns `state`: it is owned by one subscriber). */
export function reduceStats(state: StatsState, event: LoggedEvent): StatsState {
  const s = state.stats;
  s.events_received++;
  const at = Date.parse(event.ts);
  if (isEffectEvent(event)) {
    const [kind, verb] = event.type.split('/') as [SyncKind, keyof EffectRunCounts];
    s.effect_runs[kind][verb]++;
    // Any kind's failure is an error, whatever the table holds.
    if ('error' in event) {
      s.errors++;
      s.last_error = event.error;
    }
  }
  if (event.type.startsWith('git/')) s.git = foldGitStatus(s.git, event as GitEvent & LoggedEvent, event.ts);
  switch (event.type) {
    case 'fs/changed':
      s.file_changes++;
      break;
    case 'store/mutated':
      s.mutations++;
      state.pending.push(at);
      break;
    case 'export/done': {
      if (event.merged) s.imports++; // the outside change it merged first
      s.exports++;
      s.exports_batched_from += event.batched;
      s.last_sync_at = event.ts;
      for (const t of state.pending) state.latencies.push(at - t);
      state.pending = [];
      if (state.latencies.length > MAX_SAMPLES) state.latencies.splice(0, state.latencies.length - MAX_SAMPLES);
      const sorted = [...state.latencies].sort((a, b) => a - b);
      s.latency_ms = { samples: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
      break;
    }
    case 'export/skipped':
      if (event.merged) s.imports++;
      state.pending = [];
      break;
    case 'import/done':
      s.imports++;
      s.imports_batched_from += event.batched;
      s.last_sync_at = event.ts;
      break;
    case 'import/skipped':
      s.skipped_imports++;
      break;
    case 'watcher/failed':
      s.errors++;
      s.last_error = `${event.code}: ${event.message}`;
      if (event.fatal) s.watcher_status = 'failed';
      break;
    case 'daemon/failed':
      s.errors++;
      s.last_error = `${event.code}: ${event.message}`;
      break;
    case 'mode/poll':
      s.watcher_status = 'polling';
      break;
    default:
      break;
  }
  return state;
}
