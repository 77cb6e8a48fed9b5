import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentHash } from '../../src/jsonl/content-hash';
import { META_HASH } from '../../src/sync/jsonl-file-state';
import { LeanExporter } from '../../src/sync/lean-exporter';
import { MEMORIES, memoryLine, newerBdExport, typedIssueLine } from '../helpers/newer-bd';
import { issueLine, useTempWorkspaces } from '../helpers/temp-workspace';

/** Counts JSON.parse calls while `fn` runs (a pass-through spy: every call still parses). */
function parsesDuring<T>(fn: () => T): { result: T; parses: number } {
  const spy = jest.spyOn(JSON, 'parse');
  try {
    return { result: fn(), parses: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

const lines = (...ls: string[]) => ls.map((l) => `${l}\n`).join('');

describe('records that are not issues (newer bd’s memories)', () => {
  const workspace = useTempWorkspaces();

  it('should import a bd 1.0 export with memories and export it back byte for byte (full export and lean export)', () => {
    const ws = workspace();
    const text = newerBdExport();
    ws.writeJsonl(text);
    const r = ws.import();
    expect(r).toMatchObject({ created: 18, other_records: 3, needs_export: false });
    expect(ws.store.count()).toBe(18);
    expect(ws.store.otherRecords().toString('utf8')).toBe(MEMORIES.map((l) => `${l}\n`).join(''));

    ws.export({ force: true });
    expect(ws.readJsonl()).toBe(text);
    expect(new LeanExporter(ws.store, ws.jsonlPath).export({ force: true }).mode).toBe('copy');
    expect(ws.readJsonl()).toBe(text);
    expect(ws.store.getMeta(META_HASH)).toBe(contentHash(text));
  });

  it('should write the memories after the issues after a local edit, and keep every unchanged _type:"issue" line’s bytes', () => {
    const ws = workspace();
    const text = newerBdExport();
    ws.writeJsonl(text);
    ws.import();
    const before = text.split('\n').filter(Boolean);
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    ws.store.update('bd-3', { title: 'Edited here <&>' }, 't');
    const created = ws.store.create({ title: 'New here' }, 't');
    // Copied: the index recognises the `{"_type":"issue","id":` lines and skips the memories.
    expect(exporter.export().mode).toBe('copy');

    const after = ws.readJsonl().split('\n').filter(Boolean);
    expect(after.slice(-3)).toEqual(MEMORIES);
    const issueLines = after.slice(0, -3);
    expect(issueLines).toHaveLength(19);
    for (const l of before.slice(0, 18)) if (!l.includes('"id":"bd-3"')) expect(issueLines).toContain(l);
    const edited = issueLines.find((l) => l.includes('"id":"bd-3"'))!;
    expect(edited.startsWith('{"_type":"issue","id":"bd-3",')).toBe(true);
    expect(JSON.parse(edited).title).toBe('Edited here <&>');
    expect(issueLines.some((l) => l.startsWith(`{"id":"${created.id}"`))).toBe(true);
    // The next full export writes the same file.
    const lean = ws.readJsonl();
    ws.export({ force: true });
    expect(ws.readJsonl()).toBe(lean);
  });

  it('should move records found among the issues to after them, in the order read', () => {
    const ws = workspace();
    const odd = '{"_type":"note","text":"kept"}';
    ws.writeJsonl([memoryLine('z', 'first'), issueLine({ id: 'bd-1' }), odd, issueLine({ id: 'bd-2' }), memoryLine('a', 'last')]);
    ws.import();
    ws.export({ force: true });
    expect(ws.readJsonl()).toBe(lines(issueLine({ id: 'bd-1' }), issueLine({ id: 'bd-2' }), memoryLine('z', 'first'), odd, memoryLine('a', 'last')));
  });

  it('should take the memories of an outside change (git pull, bd) in the incremental import, parsing only changed lines', () => {
    const ws = workspace();
    const issues = Array.from({ length: 100 }, (_, i) => typedIssueLine(issueLine({ id: `bd-${String(i).padStart(3, '0')}` })));
    ws.writeJsonl([...issues, ...MEMORIES]);
    ws.import();
    ws.export({ force: true }); // the base is now in place

    const changed = [...issues];
    changed[5] = typedIssueLine(issueLine({ id: 'bd-005', title: 'changed by bd', updated_at: '2030-01-01T00:00:00Z' }));
    const memories = [MEMORIES[0], memoryLine('new-one', 'from bd'), MEMORIES[2]];
    ws.writeJsonl([...changed, ...memories]);
    const { result, parses } = parsesDuring(() => ws.import());
    expect(result).toMatchObject({ updated: 1, unchanged: 99, other_records: 3, deleted: 0 });
    // The changed issue, the three memories, and the stored memories the shape check reads.
    expect(parses).toBeLessThan(10);
    expect(ws.store.get('bd-005')?.title).toBe('changed by bd');
    expect(ws.store.otherRecords().toString('utf8')).toBe(lines(...memories));

    // A memory removed by bd is gone from the next export.
    ws.writeJsonl([...changed, memories[1]]);
    ws.import();
    ws.store.update('bd-001', { title: 'local' }, 't');
    new LeanExporter(ws.store, ws.jsonlPath).export();
    expect(ws.readJsonl().split('\n').filter(Boolean).slice(-1)).toEqual([memories[1]]);
  });

  it('should keep a record whose _type comes after its id through the incremental import and the lean export', () => {
    const ws = workspace();
    const late = '{"id":"bd-2","_type":"memory","key":"k","value":"v"}';
    ws.writeJsonl([issueLine({ id: 'bd-1' }), late, issueLine({ id: 'bd-3' })]);
    expect(ws.import()).toMatchObject({ created: 2, other_records: 1 });
    ws.export({ force: true });
    const exported = lines(issueLine({ id: 'bd-1' }), issueLine({ id: 'bd-3' }), late);
    expect(ws.readJsonl()).toBe(exported);

    ws.writeJsonl([issueLine({ id: 'bd-1' }), issueLine({ id: 'bd-3', title: 'changed', updated_at: '2030-01-01T00:00:00Z' }), late]);
    ws.import();
    expect(ws.store.exists('bd-2')).toBe(false);
    expect(ws.store.otherRecords().toString('utf8')).toBe(`${late}\n`);
    ws.store.update('bd-1', { title: 'local' }, 't');
    new LeanExporter(ws.store, ws.jsonlPath).export();
    const out = ws.readJsonl().split('\n').filter(Boolean);
    expect(out.filter((l) => l === late)).toHaveLength(1);
    expect(out[out.length - 1]).toBe(late);
  });

  it('should merge the memories of another file (import -i) by key, and export them at the next export', () => {
    const ws = workspace();
    ws.writeJsonl([issueLine({ id: 'bd-1' }), memoryLine('a', 'mine'), memoryLine('b', 'mine')]);
    ws.import();
    ws.export({ force: true });
    const other = path.join(ws.root, 'from-bd.jsonl');
    fs.writeFileSync(other, lines(issueLine({ id: 'bd-2' }), memoryLine('b', 'theirs'), memoryLine('c', 'theirs')));

    const r = ws.import({ source: other });
    expect(r).toMatchObject({ created: 1, other_records: 2, needs_export: true });
    expect(ws.store.otherRecordsDirty()).toBe(true);
    // A change to the workspace file in between keeps the memories not yet exported.
    ws.writeJsonl([issueLine({ id: 'bd-1' }), memoryLine('a', 'mine'), memoryLine('b', 'mine'), memoryLine('d', 'teammate')]);
    ws.import();
    ws.export();
    expect(ws.readJsonl()).toBe(
      lines(issueLine({ id: 'bd-1' }), issueLine({ id: 'bd-2' }), memoryLine('a', 'mine'), memoryLine('b', 'theirs'), memoryLine('d', 'teammate'), memoryLine('c', 'theirs')),
    );
    expect(ws.store.otherRecordsDirty()).toBe(false);
    expect(ws.store.pendingExportCount()).toBe(0);
  });

  it('should keep the memories when every issue is deleted here', () => {
    const ws = workspace();
    ws.writeJsonl([issueLine({ id: 'bd-1' }), ...MEMORIES]);
    ws.import();
    ws.store.delete('bd-1', 't');
    const r = new LeanExporter(ws.store, ws.jsonlPath).export();
    expect(r.issues).toBe(0);
    expect(ws.readJsonl()).toBe(lines(...MEMORIES));
    ws.reopen();
    expect(ws.store.otherRecords().toString('utf8')).toBe(lines(...MEMORIES));
  });

  it('should not count memories as issues an empty export would wipe (export -o over a file of memories only)', () => {
    const ws = workspace();
    ws.writeJsonl(MEMORIES);
    ws.import();
    const memoriesOnly = path.join(ws.root, 'memories.jsonl');
    fs.writeFileSync(memoriesOnly, lines(memoryLine('old', 'x')));
    expect(ws.export({ output: memoriesOnly }).issues).toBe(0);
    expect(fs.readFileSync(memoriesOnly, 'utf8')).toBe(lines(...MEMORIES));

    const withIssues = path.join(ws.root, 'issues.jsonl');
    fs.writeFileSync(withIssues, lines(issueLine({ id: 'bd-1' }), memoryLine('old', 'x')));
    expect(() => ws.export({ output: withIssues })).toThrow('(1 issue line)');
  });
});
