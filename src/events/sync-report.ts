import type { ExportReport } from '../sync/export-jsonl';
import { emptyReport, type ImportReport } from '../sync/import-jsonl';
import type { EffectEvent } from './daemon-event';

/**
 * Through a daemon, `export`/`import` run in its serial lane and are answered with the event of
 * their own run (`export/done`, `import/skipped`, …). The event carries the sync's result as
 * is (see `ImportResult`), so the report is the event less its envelope; only a skip, which
 * the event names by reason, is spelled out as the direct-mode report says it.
 */
export function importReportOf(r: ImportReport | (EffectEvent & { ts?: string })): ImportReport {
  if (!('type' in r)) return r;
  if (r.type === 'import/done') {
    const { type: _type, ts: _ts, batched: _batched, requests: _requests, ...result } = r;
    return result;
  }
  return emptyReport(r.type === 'import/skipped' && r.reason === 'jsonl missing' ? 'missing' : 'unchanged');
}

export function exportReportOf(r: ExportReport | (EffectEvent & { ts?: string })): ExportReport {
  if (!('type' in r)) return r;
  if (r.type === 'export/done') {
    const { type: _type, ts: _ts, batched: _batched, requests: _requests, ...result } = r;
    return result;
  }
  const merged = r.type === 'export/skipped' && r.merged ? { merged: r.merged } : {};
  return { skipped: 'clean', issues: 0, bytes: 0, ms: 0, ...merged };
}
