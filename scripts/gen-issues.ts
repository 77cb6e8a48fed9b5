/**
 * Synthetic beads JSONL of realistic size and shape, for benchmarks.
 *
 * Modelled on the largest real bd export in the fixtures
 * (spec/fixtures/steveyegge__beads__issues__20260113-ab4fba2.jsonl, 2,657 lines, 2.27 MB):
 *   - three kinds of record: work items (65%, ~1,000 B/line), `event` records written by agents
 *     (22%, ~360 B), tombstones (13%, ~870 B); overall mean ~850 B, median ~600 B, p90 ~1.6 kB,
 *     p99 ~3.8 kB, longest ~9 kB;
 *   - description on 70% of lines (log-normal length, median ~370 chars), notes on ~4%,
 *     design / acceptance_criteria on a few (older bd versions wrote them more), labels on ~2.5%,
 *     dependencies on ~26% (1–11 each), comments on ~0.5%;
 *   - statuses: 83% closed, 13% tombstone, 3.5% open, a few hooked / in_progress;
 *   - timestamps in local time with an offset (mostly -08:00) and Go's RFC3339Nano trimming of
 *     trailing zeros (so 6 fraction digits mostly, sometimes 5 or 4, a few 9); comments in UTC;
 *   - bd's key order, compact JSON, `<`, `>`, `&` written as `\u003c`, `\u003e`, `\u0026`
 *     (on ~14% of lines), non-ASCII text on ~9%;
 *   - ids `bench-<base36>` (4–6 chars, like bd's hash ids), lines sorted in byte order.
 *
 * Deterministic: the same (n, seed) always gives the same bytes.
 *
 * CLI: `npx ts-node --transpile-only scripts/gen-issues.ts N [SEED] > issues.jsonl`
 */

/** mulberry32: small, fast, good enough for test data. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const chance = (rng: Rng, p: number): boolean => rng() < p;

/** Standard normal (Box–Muller). */
function normal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function logNormal(rng: Rng, median: number, sigma: number, max: number): number {
  return Math.max(1, Math.min(max, Math.round(median * Math.exp(sigma * normal(rng)))));
}

// ---- text -----------------------------------------------------------------------------------

const WORDS = (
  'the a to of and in for is on that with import export sync daemon issue issues jsonl file ' +
  'database store merge conflict git branch commit push pull status priority label dependency ' +
  'blocked ready closed open update create delete tombstone hash id ids prefix worktree agent ' +
  'session molecule wisp polecat crew refinery witness mayor hook should must when after before ' +
  'fails error returns missing stale lock timeout retry debounce watcher socket rpc server client ' +
  'test tests flaky coverage cli command flag output json format schema migration column index ' +
  'query slow fast memory cache config path directory repo remote upstream main version release ' +
  'fix add remove refactor investigate document handle support allow prevent ensure check verify'
).split(' ');

const PATHS = [
  'cmd/bd/show.go',
  'cmd/bd/sync.go',
  'internal/storage/sqlite/sqlite.go',
  'internal/rpc/server.go',
  'internal/importer/importer.go',
  'cmd/bd/daemon_autostart.go',
  'internal/beads/beads.go',
  'docs/CLI_REFERENCE.md',
];

const HEADINGS = ['## Problem', '## Current State', '## Proposed Change', '## Why', '## Acceptance', '## Changes', '## Notes'];
/** Go's encoder escapes these; they show up in real descriptions (`<-chan`, `A & B`, `<id>`). */
const ESCAPABLE = ['A & B', '<-chan struct{}', 'bd show <id>', 'x > 0 && y < n', '-> ', '<nil>', 'R&D'];
const NON_ASCII = ['—', '→', '✓', '…', 'é', '•', '✗', '📝', '≥'];
const NAMES = ['beads/crew/emma', 'beads/crew/giles', 'beads/crew/wolf', 'beads/refinery', 'beads/witness', 'stevey', 'daemon'];
const OWNERS = ['steve.yegge@gmail.com', 'alice@example.com', 'bob@example.org'];

function sentence(rng: Rng): string {
  const n = 4 + Math.floor(rng() * 12);
  const ws: string[] = [];
  for (let i = 0; i < n; i++) ws.push(pick(rng, WORDS));
  if (chance(rng, 0.15)) ws.splice(Math.floor(rng() * ws.length), 0, pick(rng, PATHS));
  if (chance(rng, 0.05)) ws.splice(Math.floor(rng() * ws.length), 0, `"${pick(rng, WORDS)}"`);
  const s = ws.join(' ');
  return s[0].toUpperCase() + s.slice(1) + '.';
}

/** Markdown-ish prose of about `len` characters. */
function prose(rng: Rng, len: number, extra: { escapable: boolean; nonAscii: boolean }): string {
  const parts: string[] = [];
  let size = 0;
  let escapable = extra.escapable;
  let nonAscii = extra.nonAscii;
  while (size < len) {
    let chunk: string;
    const r = rng();
    if (len > 300 && r < 0.08) chunk = `\n\n${pick(rng, HEADINGS)}\n`;
    else if (r < 0.3) chunk = `\n- ${sentence(rng)}`;
    else chunk = (parts.length ? ' ' : '') + sentence(rng);
    if (escapable && chance(rng, 0.3)) {
      chunk += ` ${pick(rng, ESCAPABLE)}`;
      escapable = false;
    }
    if (nonAscii && chance(rng, 0.3)) {
      chunk += ` ${pick(rng, NON_ASCII)}`;
      nonAscii = false;
    }
    parts.push(chunk);
    size += chunk.length;
  }
  let text = parts.join('').trimStart();
  if (escapable) text += ` ${pick(rng, ESCAPABLE)}`;
  if (nonAscii) text += ` ${pick(rng, NON_ASCII)}`;
  return text;
}

function title(rng: Rng): string {
  const len = logNormal(rng, 34, 0.4, 100);
  let t = sentence(rng).slice(0, -1);
  while (t.length < len) t += ' ' + pick(rng, WORDS);
  return t.slice(0, len).trimEnd();
}

// ---- timestamps -----------------------------------------------------------------------------

const START_MS = Date.UTC(2025, 9, 1); // 2025-10-01
const SPAN_MS = 104 * 24 * 3600 * 1000; // to mid-January 2026

interface Instant {
  ms: number;
  /** Sub-millisecond part, in nanoseconds (0–999,999). */
  subNs: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** bd's local time with offset; the fraction trimmed of trailing zeros as Go's RFC3339Nano does. */
function rfc3339(t: Instant, offsetMin: number, nanos: boolean): string {
  const local = new Date(t.ms + offsetMin * 60_000);
  const ns = (t.ms % 1000) * 1_000_000 + (nanos ? t.subNs : Math.floor(t.subNs / 1000) * 1000);
  let frac = ns === 0 ? '' : '.' + String(ns).padStart(9, '0').replace(/0+$/, '');
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const off = offsetMin === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  if (frac === '.') frac = '';
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${frac}${off}`
  );
}

function utcSeconds(t: Instant): string {
  return new Date(Math.floor(t.ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function pickOffset(rng: Rng): number {
  const r = rng();
  return r < 0.9 ? -480 : r < 0.97 ? -420 : r < 0.995 ? -300 : 60;
}

function later(rng: Rng, t: Instant, medianMs: number, sigma: number): Instant {
  // Capped at 30 days so every generated time is before mutateIssues's edit time.
  const dt = Math.min(30 * 24 * 3600_000, Math.round(medianMs * Math.exp(sigma * normal(rng))));
  return { ms: t.ms + Math.max(1, dt), subNs: Math.floor(rng() * 1_000_000) };
}

// ---- records --------------------------------------------------------------------------------

function makeIds(n: number, rng: Rng): string[] {
  const seen = new Set<string>();
  const ids: string[] = [];
  while (ids.length < n) {
    const len = 4 + Math.floor(rng() * 3);
    let s = '';
    for (let i = 0; i < len; i++) s += '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(rng() * 36)];
    const id = `bench-${s}`;
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  return ids;
}

const WORK_TYPES = ['task', 'task', 'task', 'task', 'bug', 'bug', 'feature', 'epic', 'merge-request', 'chore', 'molecule', 'agent'];
const DEP_TYPES = ['blocks', 'blocks', 'blocks', 'blocks', 'parent-child', 'parent-child', 'parent-child', 'discovered-from', 'related'];
const CLOSE_REASONS = ['Done', 'Fixed', 'Duplicate', 'Closed', 'auto-closed session cost wisp'];

function priority(rng: Rng): number {
  const r = rng();
  return r < 0.04 ? 0 : r < 0.29 ? 1 : r < 0.9 ? 2 : r < 0.98 ? 3 : 4;
}

let commentId = 0;

function makeRecord(rng: Rng, id: string, ids: readonly string[]): Record<string, unknown> {
  const kind = rng();
  const nanos = chance(rng, 0.02);
  const off = pickOffset(rng);
  const ts = (t: Instant) => rfc3339(t, off, nanos);
  const created: Instant = { ms: START_MS + Math.floor(rng() * SPAN_MS), subNs: Math.floor(rng() * 1_000_000) };
  const textOpts = () => ({ escapable: chance(rng, 0.16), nonAscii: chance(rng, 0.11) });

  if (kind < 0.22) {
    // Agent session events: short, closed at once, ephemeral.
    const updated = later(rng, created, 70, 0.3);
    const who = pick(rng, NAMES);
    const rec: Record<string, unknown> = {
      id,
      title: `Session ended: gt-beads-${who.split('/').pop()}`,
      status: 'closed',
      priority: 2,
      issue_type: 'event',
    };
    if (chance(rng, 0.6)) rec.owner = pick(rng, OWNERS);
    rec.created_at = ts(created);
    rec.created_by = who;
    rec.updated_at = ts(updated);
    rec.closed_at = ts(updated);
    rec.close_reason = 'auto-closed session cost wisp';
    if (chance(rng, 0.78)) rec.ephemeral = true;
    return rec;
  }

  const tombstone = kind < 0.35;
  const type = pick(rng, WORK_TYPES);
  const rec: Record<string, unknown> = { id, title: title(rng) };
  if (chance(rng, tombstone ? 0.92 : 0.9)) rec.description = prose(rng, logNormal(rng, 330, 1.0, 7600), textOpts());
  if (chance(rng, 0.03)) rec.design = prose(rng, logNormal(rng, 500, 0.7, 4000), textOpts());
  if (chance(rng, 0.03)) rec.acceptance_criteria = prose(rng, logNormal(rng, 200, 0.6, 2000), textOpts());
  if (chance(rng, 0.05)) rec.notes = prose(rng, logNormal(rng, 617, 0.53, 3000), textOpts());

  const s = rng();
  const status = tombstone ? 'tombstone' : s < 0.94 ? 'closed' : s < 0.985 ? 'open' : s < 0.993 ? 'in_progress' : 'hooked';
  rec.status = status;
  rec.priority = priority(rng);
  rec.issue_type = type;
  if (chance(rng, 0.09)) rec.assignee = pick(rng, NAMES);
  if (chance(rng, 0.05)) rec.owner = pick(rng, OWNERS);
  rec.created_at = ts(created);
  const createdBy = chance(rng, tombstone ? 0.09 : 0.3);
  if (createdBy) rec.created_by = pick(rng, NAMES);
  const updated = later(rng, created, 6 * 3600_000, 2);
  rec.updated_at = ts(updated);
  if (status === 'closed') {
    rec.closed_at = ts(updated);
    if (createdBy || chance(rng, 0.1)) {
      rec.close_reason = chance(rng, 0.5) ? pick(rng, CLOSE_REASONS) : prose(rng, logNormal(rng, 50, 1, 800), textOpts());
    }
  }
  if (chance(rng, 0.007)) rec.external_ref = `gh-${1 + Math.floor(rng() * 1200)}`;
  if (chance(rng, tombstone ? 0.1 : 0.018)) {
    const labels = new Set<string>();
    const k = 1 + Math.floor(rng() * rng() * 3);
    for (let i = 0; i < k; i++) labels.add(pick(rng, ['backend', 'urgent', 'cli', 'sync', 'docs', 'gh:788', 'perf']));
    rec.labels = [...labels].sort();
  }
  if (chance(rng, tombstone ? 0.4 : 0.32)) {
    const k = Math.min(11, 1 + Math.floor(-Math.log(1 - rng()) * 0.5));
    const deps: Record<string, unknown>[] = [];
    const targets = new Set<string>();
    for (let i = 0; i < k; i++) {
      const target = pick(rng, ids);
      if (target === id || targets.has(target)) continue;
      targets.add(target);
      deps.push({
        issue_id: id,
        depends_on_id: target,
        type: pick(rng, DEP_TYPES),
        created_at: ts(later(rng, created, 60_000, 1)),
        created_by: pick(rng, NAMES),
      });
    }
    if (deps.length) rec.dependencies = deps;
  }
  if (!tombstone && chance(rng, 0.045)) rec.ephemeral = true;
  if (chance(rng, 0.006)) {
    const k = 1 + Math.floor(rng() * 2);
    const comments: Record<string, unknown>[] = [];
    for (let i = 0; i < k; i++) {
      comments.push({
        id: ++commentId,
        issue_id: id,
        author: pick(rng, NAMES),
        text: prose(rng, logNormal(rng, 120, 0.8, 1500), textOpts()),
        created_at: utcSeconds(later(rng, created, 3600_000, 1)),
      });
    }
    rec.comments = comments;
  }
  if (tombstone) {
    const deleted = later(rng, updated, 3600_000, 1);
    rec.updated_at = ts(deleted);
    rec.deleted_at = ts(deleted);
    rec.deleted_by = chance(rng, 0.8) ? 'batch delete' : pick(rng, NAMES);
    rec.delete_reason = chance(rng, 0.8) ? 'batch delete' : 'duplicate';
    rec.original_type = type;
  }
  return rec;
}

/** bd's bytes: compact JSON with Go's HTML-safe escaping (same rule as src/jsonl/bd-escape.ts). */
export function bdLine(record: object): string {
  return JSON.stringify(record).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `n` issues as JSONL text (LF, trailing newline), sorted by id in byte order. */
export function generateIssues(n: number, seed = 1): string {
  const rng = makeRng(seed);
  commentId = 0;
  const ids = makeIds(n, rng);
  const lines = ids.map((id) => bdLine(makeRecord(rng, id, ids)));
  // Ids are ASCII, so UTF-16 order is byte order; `id` is the first key so lines sort as ids do.
  ids.sort();
  const byId = new Map<string, string>();
  lines.forEach((l) => byId.set(l.slice(7, l.indexOf('"', 7)), l));
  return n === 0 ? '' : ids.map((id) => byId.get(id)!).join('\n') + '\n';
}

/**
 * The same file with about `fraction` of its lines edited as a collaborator would: new title
 * text and a later `updated_at` (so last-writer-wins takes the incoming line). Keeps order.
 */
export function mutateIssues(text: string, fraction: number, seed = 2): { text: string; changed: string[] } {
  const rng = makeRng(seed);
  const lines = text.split('\n');
  const changed: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i] || rng() >= fraction) continue;
    const rec = JSON.parse(lines[i]) as Record<string, unknown>;
    rec.title = `${String(rec.title)} (edited ${i})`;
    rec.updated_at = '2026-06-01T12:00:00.123456-07:00'; // later than any generated time
    lines[i] = bdLine(rec);
    changed.push(String(rec.id));
  }
  return { text: lines.join('\n'), changed };
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 1000);
  const seed = Number(process.argv[3] ?? 1);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write('usage: gen-issues.ts N [SEED] > issues.jsonl\n');
    process.exit(2);
  }
  process.stdout.write(generateIssues(n, seed));
}
