import { issueLine, readDbIssues, useDaemons } from '../helpers/daemon-process';
import { type CliRun, runCliAsync } from '../helpers/real-daemon';
import { readJsonl } from '../helpers/run-cli';

/**
 * Scenario 7, second half: no daemon, 10 processes writing at once in direct mode, on a
 * workspace of 2,000 issues (so each export holds the write lock for a while). Found on 10k: 97 of
 * 150 creates failed with `database is locked` after about 1 s, although every connection has a
 * 10 s busy timeout: every open ran an autocommit INSERT (schema version), and a write whose
 * read snapshot is older than another process's commit fails at once with SQLITE_BUSY (no busy
 * wait can refresh a snapshot). The schema is now written only to a new DB, and writes begin
 * IMMEDIATE, so they wait their turn instead.
 */

jest.setTimeout(300_000);

const WRITERS = 10;
const CREATES_EACH = 6;
// Enough for each export to hold the write lock a while, few enough that a machine running
// many suites at once (load 20+ on 2 cores) does not turn the waits into 30 s timeouts.
const ISSUES = 2_000;

describe('fault 7: concurrent direct-mode writers', () => {
  const { workspace } = useDaemons();

  it('should lose no write and surface no SQLITE_BUSY when 10 processes create issues at once', async () => {
    const lines = Array.from({ length: ISSUES }, (_, i) => issueLine(`big-${String(i).padStart(5, '0')}`));
    const ws = workspace({ prefix: 'w', lines });

    const runs: Array<CliRun & { title: string; ms: number }> = [];
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; i < CREATES_EACH; i++) {
          const title = `writer ${w} issue ${i}`;
          const started = Date.now();
          // BD_RX_DEBUG: a failure shows its stack.
          const run = await runCliAsync(['create', title, '--no-daemon', '--json'], { cwd: ws.root, timeoutMs: 120_000, env: { BD_RX_DEBUG: '1' } });
          runs.push({ ...run, title, ms: Date.now() - started });
        }
      }),
    );

    const failed = runs.filter((r) => r.code !== 0).map((r) => `${r.title} (after ${r.ms} ms): ${r.stderr.trim()}`);
    expect(failed).toEqual([]);
    expect(runs.filter((r) => /locked|SQLITE_BUSY/i.test(r.stderr))).toEqual([]);
    const titles = runs.map((r) => r.title).sort();
    expect(runs.map((r) => r.json?.title).sort()).toEqual(titles);
    const inDb = readDbIssues(ws.dbPath).filter((i) => i.title.startsWith('writer '));
    expect(inDb.map((i) => i.title).sort()).toEqual(titles);
    // Each command exported before it returned, so the JSONL has every one of them too.
    const inJsonl = readJsonl(ws.root).records.filter((r) => String(r.title).startsWith('writer '));
    expect(inJsonl.map((r) => r.title).sort()).toEqual(titles);
    expect(readJsonl(ws.root).records).toHaveLength(ISSUES + WRITERS * CREATES_EACH);
  });
});
