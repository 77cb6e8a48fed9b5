import * as fs from 'node:fs';
import type { IssueRecord } from '../../src/jsonl/parse-jsonl';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { mergeJsonl } from '../../src/merge/merge-policy';
import { CONFLICT_FIXTURE, RELAY_FIXTURE, fixturePath, linesOf, validFixtures } from '../helpers/temp-workspace';

/** The real exports bd wrote: sorted by id, one line per id (the relay file is neither). */
const BD_FIXTURES = validFixtures().filter((f) => f !== RELAY_FIXTURE);
const LARGEST = 'steveyegge__beads__issues__20260113-ab4fba2.jsonl';
const LATER = '2026-02-01T00:00:00Z';
const LATEST = '2026-02-02T00:00:00Z';

const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');
const withFields = (line: string, fields: Record<string, unknown>) => serializeRecord({ ...(JSON.parse(line) as IssueRecord), ...fields });

function both(base: string, ours: string, theirs: string): string {
  const a = mergeJsonl({ base, ours, theirs }).data;
  const b = mergeJsonl({ base, ours: theirs, theirs: ours }).data;
  expect(b.equals(a)).toBe(true);
  return a.toString('utf8');
}

describe('mergeJsonl on real bd exports', () => {
  it.each(BD_FIXTURES)('should merge %s split into two diverging halves back into the same bytes', (name) => {
    const original = fs.readFileSync(fixturePath(name), 'utf8');
    const lines = linesOf(original);
    const base = lines.filter((_, i) => i % 3 === 0);
    const ours = lines.filter((_, i) => i % 3 !== 2);
    const theirs = lines.filter((_, i) => i % 3 !== 1);
    expect(both(text(base), text(ours), text(theirs))).toBe(original);
  });

  it.each(BD_FIXTURES)('should keep every edit of %s made on two clones and every untouched line byte for byte', (name) => {
    const lines = linesOf(fs.readFileSync(fixturePath(name), 'utf8'));
    const n = lines.length;
    const ours = [...lines];
    const theirs = [...lines];
    const retitled = new Set<number>();
    const reprioritised = new Set<number>();
    for (let i = 0; i < n; i += 5) {
      ours[i] = withFields(lines[i], { title: `A: ${i}`, updated_at: LATER });
      retitled.add(i);
    }
    for (let i = 0; i < n; i += 3) {
      theirs[i] = withFields(lines[i], { priority: 0, updated_at: LATEST });
      reprioritised.add(i);
    }
    // Deleted on A and untouched on B (i % 15 == 7 is neither edited on A nor on B): gone.
    const deleted = new Set<number>();
    for (let i = 7; i < n; i += 15) deleted.add(i);
    const oursLines = ours.filter((_, i) => !deleted.has(i));
    // Deleted on B but edited on A (i % 15 == 5: A retitled it, B does not touch it): kept.
    const keptOverDelete = new Set<number>();
    for (let i = 5; i < n; i += 15) keptOverDelete.add(i);
    const theirsLines = theirs.filter((_, i) => !keptOverDelete.has(i));

    const result = mergeJsonl({ base: text(lines), ours: text(oursLines), theirs: text(theirsLines) });
    expect(both(text(lines), text(oursLines), text(theirsLines))).toBe(result.data.toString('utf8'));
    const out = new Map(linesOf(result.data.toString('utf8')).map((l) => [JSON.parse(l).id as string, l]));
    lines.forEach((line, i) => {
      const id = JSON.parse(line).id as string;
      const got = out.get(id);
      if (deleted.has(i)) return expect(got).toBeUndefined();
      expect(got).toBeDefined();
      const rec = JSON.parse(got!);
      if (retitled.has(i)) expect(rec.title).toBe(`A: ${i}`);
      if (reprioritised.has(i)) expect(rec.priority).toBe(0);
      if (retitled.has(i) && reprioritised.has(i)) expect(rec.updated_at).toBe(LATEST);
      if (!retitled.has(i) && !reprioritised.has(i)) expect(got).toBe(line);
    });
    // A tombstone kept over a deletion is still a deletion: only live records are reported.
    const live = [...keptOverDelete].map((i) => JSON.parse(lines[i])).filter((r) => r.status !== 'tombstone');
    expect(result.report.kept_over_delete.sort()).toEqual(live.map((r) => r.id).sort());
    expect(result.report.issues).toBe(n - deleted.size);
  });

  it('should keep the fields of bd tombstones, comments and extra fields it does not know when both sides edit them', () => {
    const lines = linesOf(fs.readFileSync(fixturePath(LARGEST), 'utf8'));
    const rich = lines.map((l) => JSON.parse(l) as IssueRecord).filter((r) => r.status === 'tombstone' || Array.isArray(r.comments) || 'ephemeral' in r);
    expect(rich.length).toBeGreaterThan(50);
    const ours = lines.map((l) => {
      const r = JSON.parse(l) as IssueRecord;
      return rich.some((x) => x.id === r.id) ? withFields(l, { notes: 'from A', updated_at: LATER }) : l;
    });
    const theirs = lines.map((l) => {
      const r = JSON.parse(l) as IssueRecord;
      return rich.some((x) => x.id === r.id) ? withFields(l, { assignee: 'from B', updated_at: LATEST }) : l;
    });
    const out = new Map(linesOf(both(text(lines), text(ours), text(theirs))).map((l) => [JSON.parse(l).id as string, JSON.parse(l)]));
    for (const r of rich) {
      const m = out.get(r.id);
      expect(m).toEqual({ ...r, notes: 'from A', assignee: 'from B', updated_at: LATEST });
      // The newer side (B, assignee) gives the key order; what only A has (notes) comes after.
      expect(Object.keys(m)).toEqual([...Object.keys(r), ...['assignee', 'notes'].filter((k) => !(k in r))]);
    }
  });

  it('should refuse the export holding git conflict markers, naming line 224', () => {
    const conflicted = fs.readFileSync(fixturePath(CONFLICT_FIXTURE));
    expect(() => mergeJsonl({ base: '', ours: conflicted, theirs: '', names: { ours: CONFLICT_FIXTURE } })).toThrow(`${CONFLICT_FIXTURE} line 224 is a git conflict marker`);
  });
});
