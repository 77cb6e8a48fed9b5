import { DAEMON_EFFECT_KINDS, type EffectEvent, type SyncKind } from '../pipeline/effect-kinds';
import type { DaemonEvent } from './daemon-event';

/** Whether an event is a run's outcome, of any kind in the lane's table. */
export function isEffectEvent(e: DaemonEvent): e is EffectEvent {
  const slash = e.type.indexOf('/');
  const kind = e.type.slice(0, slash);
  return Object.hasOwn(DAEMON_EFFECT_KINDS, kind) && ['done', 'skipped', 'failed'].includes(e.type.slice(slash + 1));
}

type DoneEvent<K extends SyncKind> = Extract<EffectEvent, { type: `${K}/done` }>;

/** One describer per reported kind: a new row in the table without one here does not compile. */
const DONE: { [K in SyncKind]: (e: DoneEvent<K>) => string } = {
  export: (e) => `${count(e.issues, 'issue')}, ${bytes(e.bytes)} in ${e.ms} ms${e.staged ? ', written ahead' : ''}${mergedFirst(e)}`,
  import: (e) => `${e.created} created, ${e.updated} updated, ${e.deleted} deleted, ${e.unchanged} unchanged in ${e.ms} ms`,
  // git reports no `done`: its outcomes (git/committed, git/pushed …) are logged with their fields.
  git: () => '',
};

/**
 * The text of an effect event after its type: `done` as its kind says, `skipped` its reason,
 * `failed` its error (with the JSONL line when there is one); then `(batched n)`.
 */
export function describeEffect(e: EffectEvent): string {
  const suffix = ` (batched ${e.batched})`;
  if ('error' in e) return `${!('line' in e) || e.line === undefined ? '' : `line ${e.line}: `}${'step' in e ? `${e.step}: ` : ''}${e.error}${suffix}`;
  if ('reason' in e) return `${e.reason}${'merged' in e ? mergedFirst(e) : ''}${suffix}`;
  const kind = e.type.slice(0, e.type.indexOf('/')) as SyncKind;
  return `${(DONE[kind] as (e: EffectEvent) => string)(e)}${suffix}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** `, after merging an outside change (1 created, …)` when the export imported one first. */
function mergedFirst(e: { merged?: { created: number; updated: number; deleted: number } }): string {
  const m = e.merged;
  if (!m) return '';
  return `, after merging an outside change (${m.created} created, ${m.updated} updated, ${m.deleted} deleted)`;
}
