import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MEMORIES, memoryLine, newerBdExport, typedIssueLine } from '../helpers/newer-bd';
import { GIT_ENV, cleanEnv, issueLine, runCliOk, useDaemons, type Workspace } from '../helpers/daemon-process';

/**
 * A repository shared with newer bd, through a real `bd-rx daemon` process: real files, real
 * chokidar, the daemon's own (lean) export and incremental import. Every wait is on an event in
 * the daemon's log, with a timeout.
 */

jest.setTimeout(90_000);

const WAIT = 20_000;
const ARGS = ['--debounce-ms', '100', '--max-wait-ms', '1000'];

/** Replaces the JSONL the way git and bd do: a whole new file renamed over it. */
function replaceJsonl(ws: Workspace, text: string): void {
  const tmp = path.join(ws.beadsDir, 'issues.jsonl.tmp');
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, ws.jsonlPath);
}

const nonBlank = (text: string) => text.split('\n').filter((l) => l !== '');

/** The text `git merge-file --diff3` writes for a conflict (real git, no repository needed). */
function diff3Conflict(base: string, ours: string, theirs: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-diff3-'));
  try {
    const names = { ours: path.join(dir, 'ours'), base: path.join(dir, 'base'), theirs: path.join(dir, 'theirs') };
    fs.writeFileSync(names.ours, ours);
    fs.writeFileSync(names.base, base);
    fs.writeFileSync(names.theirs, theirs);
    const r = spawnSync('git', ['merge-file', '-p', '--diff3', '-L', 'ours', '-L', 'base', '-L', 'theirs', names.ours, names.base, names.theirs], {
      env: cleanEnv(GIT_ENV),
      encoding: 'utf8',
    });
    if (r.status === null || r.status < 1) throw new Error(`git merge-file found no conflict: ${r.stderr}`);
    return r.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('bd-rx daemon with a JSONL shared with newer bd (a real process)', () => {
  const { workspace, start } = useDaemons();

  it('should keep bd’s memories and _type:"issue" lines byte for byte through its exports and imports', async () => {
    const original = newerBdExport();
    const ws = workspace({ prefix: 'bd', lines: nonBlank(original) });
    const d = start({ cwd: ws.root, args: ARGS });
    await d.waitUntilWatching();

    // A write through the daemon: its lean export copies the unchanged lines and ends with the memories.
    let from = d.mark();
    const created = JSON.parse(runCliOk(ws.root, ['create', 'Filed through the daemon', '--json'])) as { id: string };
    await d.waitForEvent((e) => e.type === 'export/done', WAIT, from);
    let lines = nonBlank(fs.readFileSync(ws.jsonlPath, 'utf8'));
    expect(lines.slice(-3)).toEqual(MEMORIES);
    expect(lines.filter((l) => !l.includes(`"id":"${created.id}"`))).toEqual(nonBlank(original));

    // bd (or a pull) changes a memory and an issue: the daemon imports both.
    from = d.mark();
    const bdLines = lines.filter((l) => !l.startsWith('{"_type":"memory"'));
    const i = bdLines.findIndex((l) => l.startsWith('{"_type":"issue","id":"bd-2",'));
    bdLines[i] = typedIssueLine(issueLine('bd-2', { title: 'Edited by bd', updated_at: '2030-01-01T00:00:00Z' }));
    const memories = [MEMORIES[0], memoryLine('added-by-bd', 'hello'), MEMORIES[2]];
    replaceJsonl(ws, [...bdLines, ...memories].map((l) => `${l}\n`).join(''));
    const imported = await d.waitForEvent((e) => e.type === 'import/done', WAIT, from);
    expect(imported).toMatchObject({ updated: 1, other_records: 3 });

    // The next export writes the new memories back, after the issues, untouched.
    from = d.mark();
    runCliOk(ws.root, ['update', created.id, '--title', 'Renamed']);
    await d.waitForEvent((e) => e.type === 'export/done', WAIT, from);
    lines = nonBlank(fs.readFileSync(ws.jsonlPath, 'utf8'));
    expect(lines.slice(-3)).toEqual(memories);
    expect(lines).toContain(bdLines[i]);
    expect(d.count((e) => e.type.endsWith('/failed'))).toBe(0);
    expect(await d.stop()).toEqual({ code: 0, signal: null });

    // After a restart (the index scanned again from the file) an export still keeps them.
    const before = nonBlank(fs.readFileSync(ws.jsonlPath, 'utf8'));
    const again = start({ cwd: ws.root, args: ARGS });
    await again.waitUntilWatching();
    from = again.mark();
    const second = JSON.parse(runCliOk(ws.root, ['create', 'After a restart', '--json'])) as { id: string };
    await again.waitForEvent((e) => e.type === 'export/done', WAIT, from);
    lines = nonBlank(fs.readFileSync(ws.jsonlPath, 'utf8'));
    expect(lines.filter((l) => !l.includes(`"id":"${second.id}"`))).toEqual(before);
    expect(lines.slice(-3)).toEqual(memories);
    expect(await again.stop()).toEqual({ code: 0, signal: null });
  });

  it('should report a diff3-style conflict in the JSONL as import/failed naming the marker line, and import the file once resolved', async () => {
    const base = [issueLine('t-1'), issueLine('t-2')];
    const ws = workspace({ lines: base });
    const d = start({ cwd: ws.root, args: ARGS });
    await d.waitUntilWatching();

    const ours = [issueLine('t-1'), issueLine('t-2', { title: 'ours', updated_at: '2025-02-01T00:00:00Z' })];
    const theirs = [issueLine('t-1'), issueLine('t-2', { title: 'theirs', updated_at: '2025-03-01T00:00:00Z' })];
    const text = diff3Conflict(...([base, ours, theirs].map((ls) => ls.map((l) => `${l}\n`).join('')) as [string, string, string]));
    const conflicted = text.split('\n');
    const bars = conflicted.findIndex((l) => l.startsWith('|||||||'));
    expect(bars).toBeGreaterThan(0);

    let from = d.mark();
    replaceJsonl(ws, text);
    let failed = await d.waitForEvent('import/failed', WAIT, from);
    expect(failed).toMatchObject({ code: 'JsonlLineError', line: conflicted.findIndex((l) => l.startsWith('<<<<<<<')) + 1 });
    expect(String((failed as { error?: unknown }).error)).toContain('is a git conflict marker');

    // Half resolved: the `<<<<<<<` side dropped, the diff3 base section left in.
    from = d.mark();
    const halfResolved = conflicted.slice(bars);
    replaceJsonl(ws, halfResolved.join('\n'));
    failed = await d.waitForEvent('import/failed', WAIT, from);
    expect(failed).toMatchObject({ code: 'JsonlLineError', line: 1 });
    expect(String((failed as { error?: unknown }).error)).toContain('line 1 is a git conflict marker ("||||||| base")');
    expect(String((failed as { error?: unknown }).error)).not.toContain('not valid JSON');

    from = d.mark();
    replaceJsonl(ws, theirs.map((l) => `${l}\n`).join(''));
    expect(await d.waitForEvent('import/done', WAIT, from)).toMatchObject({ updated: 1 });
    expect(await d.stop()).toEqual({ code: 0, signal: null });
  });
});
