import type { EffectEvent } from '../events/daemon-event';
import type { SyncKind } from '../pipeline/effect-kinds';
import type { OperationArgs } from '../rpc/protocol';
import { exportJsonl, type ExportReport } from '../sync/export-jsonl';
import { importJsonl, type ImportReport } from '../sync/import-jsonl';
import type { DaemonServices } from './daemon-context';
import type { OperationContext } from './operation-context';

/** The outcome of the lane's run that served this request; a failed run rejects with its error. */
async function laneRun(daemon: DaemonServices, kind: SyncKind): Promise<EffectEvent & { ts: string }> {
  const done = await daemon.requestSync(kind, 'rpc');
  if (done.type === 'export/failed' || done.type === 'import/failed') throw new Error(done.error);
  return done;
}

/**
 * Direct mode (and another file, `export -o`, or `--force`, in the daemon): the export runs
 * here. The daemon's own export of the workspace JSONL goes through its serial lane, and the
 * answer is the lane's outcome.
 */
export function exportOperation(
  args: OperationArgs['export'],
  ctx: OperationContext,
): ExportReport | Promise<EffectEvent & { ts: string }> {
  const { store, paths, daemon } = ctx;
  // Another file (export -o / import -i) is not the workspace JSONL: no lane needed.
  if (daemon && args.output === undefined && args.force !== true) {
    return laneRun(daemon, 'export');
  }
  return exportJsonl(store, { jsonlPath: paths.jsonlPath, output: args.output, force: args.force === true });
}

/** As `exportOperation`, for import (`import -i FILE`, `--force`). */
export function importOperation(
  args: OperationArgs['import'],
  ctx: OperationContext,
): ImportReport | Promise<EffectEvent & { ts: string }> {
  const { store, paths, daemon } = ctx;
  if (daemon && args.input === undefined && args.force !== true) {
    return laneRun(daemon, 'import');
  }
  // Direct mode exports right after (a source that is already that export may be written as the
  // JSONL here), and no daemon holds the DB open (a bulk load may take it out of WAL meanwhile).
  const direct = !daemon;
  const result = importJsonl(store, { jsonlPath: paths.jsonlPath, source: args.input, force: args.force === true, writeJsonl: direct, bulkJournal: direct });
  // It ran outside the lane: what it merged in reaches the JSONL by the lane's export.
  if (daemon) void daemon.requestSync('export', 'rpc import').catch(() => undefined);
  return result;
}

/** An import that merged changes the JSONL does not have yet (`import -i FILE`, newer local copies). */
export function needsExport(result: unknown): boolean {
  return typeof result === 'object' && result !== null && 'needs_export' in result && result.needs_export === true;
}
