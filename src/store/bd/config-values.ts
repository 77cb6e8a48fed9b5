import type { BeadsStore } from '../beads-store';
import { ValidationError } from '../store-errors';

/**
 * bd's `config` keys, kept in the DB's metadata table: `issue_prefix` is the key the store reads
 * for new ids; every other key is stored as `config.<key>`, apart from bd-rx's own metadata.
 */
const DIRECT_KEYS = new Set(['issue_prefix']);
const PREFIX = 'config.';

const metaKey = (key: string) => (DIRECT_KEYS.has(key) ? key : `${PREFIX}${key}`);

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.trim() === '') throw new ValidationError('a config key is required, e.g. `bd-rx config get issue_prefix`');
  return key;
}

export function configGet(store: BeadsStore, key: unknown): { key: string; value: string } {
  const k = checkKey(key);
  return { key: k, value: store.getMeta(metaKey(k)) ?? '' };
}

export function configSet(store: BeadsStore, key: unknown, value: unknown): { key: string; value: string } {
  const k = checkKey(key);
  if (typeof value !== 'string') throw new ValidationError(`config set ${k} needs a value`);
  store.setMeta(metaKey(k), value);
  return { key: k, value };
}

export function configUnset(store: BeadsStore, key: unknown): { key: string } {
  const k = checkKey(key);
  store.compatSql.deleteMeta(metaKey(k));
  return { key: k };
}

/** Every config key with its value, as one flat object sorted by key. */
export function configList(store: BeadsStore): Record<string, string> {
  const rows = store.compatSql
    .prepare<[], { key: string; value: string }>(`SELECT key, value FROM metadata ORDER BY key`)
    .all();
  const out: Record<string, string> = {};
  for (const r of rows) {
    if (DIRECT_KEYS.has(r.key)) out[r.key] = r.value;
    else if (r.key.startsWith(PREFIX)) out[r.key.slice(PREFIX.length)] = r.value;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
