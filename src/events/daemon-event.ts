/**
 * Every event the daemon reports. The NDJSON log, `bd-rx events` and the RPC `subscribe`
 * operation all carry exactly these objects (plus `ts`, stamped by the sink that writes them).
 * Types read `source/verb`. The effect events (`export/done`, `import/failed`, …) are derived
 * from the lane's table of kinds (see `DAEMON_EFFECT_KINDS`): one row there, its events here.
 */
import type { DaemonMode } from '../pipeline/daemon-sources';
import type { EffectEvent, SyncKind } from '../pipeline/effect-kinds';

export type { DaemonMode } from '../pipeline/daemon-sources';
export type { EffectEvent } from '../pipeline/effect-kinds';

export type DaemonEvent =
  | {
      type: 'daemon/started';
      mode: DaemonMode;
      debounceMs: number;
      maxWaitMs: number;
      workspace: string;
      pid: number;
      /** The live dashboard's URL, token included (only with `--dashboard`). */
      dashboard_url?: string;
    }
  | { type: 'fs/changed'; path: string }
  | { type: 'store/mutated'; op: string; id: string }
  | { type: 'sync/requested'; kind: SyncKind; reason: string }
  | EffectEvent
  | { type: 'watcher/failed'; code: string; message: string; fatal: boolean }
  /** A failure that is not the watcher's and that the daemon cannot work around: it stops. */
  | { type: 'daemon/failed'; code: string; message: string }
  | { type: 'mode/poll'; reason: string; intervalMs: number }
  | { type: 'signal/ignored'; signal: string }
  | { type: 'daemon/stopping'; signal: string }
  | { type: 'daemon/stopped' };

/** A daemon event as written to the log: stamped with an ISO 8601 time. */
export type LoggedEvent = DaemonEvent & { ts: string };
