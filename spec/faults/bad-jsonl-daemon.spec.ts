import * as fs from 'node:fs';
import * as path from 'node:path';
import { issueLine, readDbIssues, useDaemons, type Workspace } from '../helpers/daemon-process';
import { WAIT, waitForJsonlIds, withClient } from '../helpers/real-daemon';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(120_000);

const ARGS = ['--debounce-ms', '50', '--max-wait-ms', '1000'];

/** Replaces the JSONL the way git or an editor does: a new file renamed over it. */
function replaceJsonl(ws: Workspace, text: string): void {
  const tmp = path.join(ws.root, 'outside.jsonl');
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, ws.jsonlPath);
}

const good = [issueLine('t-1'), issueLine('t-2')];
const BAD: Array<[string, (lines: string[]) => string, number]> = [
  // A write cut short: the last record stops mid-way, no newline.
  ['a truncated last line', (lines) => `${lines.join('\n')}\n${issueLine('t-3', { title: 'cut' }).slice(0, 40)}`, 3],
  ['a line that is not JSON', (lines) => `${lines[0]}\nthis is not json\n${lines[1]}\n`, 2],
  [
    'git conflict markers',
    (lines) =>
      `${lines[0]}\n<<<<<<< HEAD\n${issueLine('t-2', { title: 'ours' })}\n=======\n${issueLine('t-2', { title: 'theirs' })}\n>>>>>>> topic\n`,
    2,
  ],
];

/**
 * Scenario 5 of the fault suite, against a real daemon: a JSONL that cannot be read while the
 * daemon runs is refused whole, naming the line; the DB keeps what it had, the daemon keeps
 * serving, and the next good file imports.
 */
describe('fault 5: a malformed JSONL while the daemon runs', () => {
  const { workspace, start } = useDaemons();

  it.each(BAD)('should refuse %s with import/failed naming the line, keep the DB and go on serving', async (_what, bad, line) => {
    const ws = workspace({ lines: good });
    const d = start({ cwd: ws.root, args: ARGS });
    await d.waitUntilWatching();
    const before = readDbIssues(ws.dbPath);
    expect(before.map((r) => r.id)).toEqual(['t-1', 't-2']);

    const from = d.mark();
    replaceJsonl(ws, bad(good));
    const failed = await d.waitForEvent('import/failed', WAIT, from);

    expect(failed).toMatchObject({ line });
    expect(String((failed as { error?: unknown }).error)).toContain(`line ${line}`);
    expect(readDbIssues(ws.dbPath)).toEqual(before);
    // Still serving: a read and a write over the socket.
    const created = await withClient(ws, async (c) => {
      await c.request('ping', {});
      return (await c.request('create', { title: 'while the file is bad' })) as { id: string };
    });
    expect(readDbIssues(ws.dbPath).map((r) => r.id)).toContain(created.id);

    // The teammate fixes the file: it imports, and the daemon's own write is kept beside it.
    replaceJsonl(ws, [issueLine('t-1', { title: 'fixed', updated_at: '2030-01-01T00:00:00Z' }), good[1]].join('\n') + '\n');
    // Merged by an import, or by the export (retried after its failures) merging it first.
    await waitFor(() => readDbIssues(ws.dbPath).find((r) => r.id === 't-1')?.title === 'fixed', WAIT, 'the fixed file to be merged');
    await waitForJsonlIds(ws.jsonlPath, [created.id]);
    const after = readDbIssues(ws.dbPath);
    expect(after.find((r) => r.id === 't-1')?.title).toBe('fixed');
    expect(after.map((r) => r.id)).toEqual(expect.arrayContaining(['t-1', 't-2', created.id]));
    expect(d.exit).toBeUndefined();
  });
});
