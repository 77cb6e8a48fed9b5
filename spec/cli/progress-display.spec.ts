import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI_BIN, initWorkspace, makeTempDir, removeDir, runCli, runCliOk } from '../helpers/run-cli';
import { issueLine } from '../helpers/temp-workspace';

const ISSUES = 2000;
const BAR = /import big\.jsonl \[[=-]+\] \d+% \| [\d,]+ lines \| [\d.]+\/[\d.]+ MB \| [\d,]+ lines\/s/;
const EXPORT_BAR = /export issues\.jsonl \[[=-]+\] \d+% \| [\d,]+ lines \| [\d.]+\/[\d.]+ MB \| [\d,]+ lines\/s/;

/**
 * `bd-rx ARGS` with stdout and stderr on a real pseudo-terminal (util-linux `script`), as in a
 * user's terminal; returns everything the terminal received.
 */
function runInTerminal(cwd: string, args: string[], env: NodeJS.ProcessEnv): string {
  const command = [process.execPath, CLI_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, env: { ...process.env, BD_ACTOR: 'tester', ...env }, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`script exited ${r.status}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

describe('progress display', () => {
  let dir: string | undefined;
  let big: string;

  beforeEach(() => {
    dir = initWorkspace(makeTempDir('progress'), 'bd');
    big = path.join(dir, 'big.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < ISSUES; i++) lines.push(issueLine({ id: `bd-${i.toString(36).padStart(4, '0')}`, description: 'x'.repeat(200) }));
    fs.writeFileSync(big, lines.join('\n') + '\n');
  });
  afterEach(() => removeDir(dir));

  it('should draw the lines, bytes, bar and rate of a long import in a terminal, then clear them', () => {
    const out = runInTerminal(dir!, ['import', '-i', big, '--no-daemon'], { BD_RX_PROGRESS_AFTER_MS: '0' });
    const done = out.indexOf('✓ Imported');
    expect(done).toBeGreaterThan(0);
    expect(out.slice(0, done)).toMatch(BAR);
    // Redrawn in place (carriage to column 1, no newline between frames), erased before the summary.
    const frames = out.slice(0, done).split('\x1b[1G').filter((f) => BAR.test(f));
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(out.slice(0, done)).not.toMatch(/lines\/s[^\n]*\n[^\n]*lines\/s/);
    expect(out.slice(0, done).endsWith('\x1b[2K')).toBe(true);
    expect(out.slice(done)).toMatch(new RegExp(`${ISSUES} created`));
  });

  it('should draw nothing for work shorter than the delay', () => {
    const out = runInTerminal(dir!, ['import', '-i', big, '--no-daemon'], { BD_RX_PROGRESS_AFTER_MS: '60000' });
    expect(out).toContain(`${ISSUES} created`);
    expect(out).not.toContain('lines/s');
  });

  it('should draw nothing with --json, even in a terminal', () => {
    const out = runInTerminal(dir!, ['import', '-i', big, '--no-daemon', '--json'], { BD_RX_PROGRESS_AFTER_MS: '0' });
    expect(JSON.parse(out.replace(/\r/g, '')).created).toBe(ISSUES);
    expect(out).not.toContain('lines/s');
  });

  it('should draw the export of a write in a terminal (the lean export), then clear it', () => {
    runCliOk(['import', '-i', big, '--no-daemon'], { cwd: dir! });
    const out = runInTerminal(dir!, ['update', 'bd-0001', '--title', 'Renamed', '--no-daemon'], { BD_RX_PROGRESS_AFTER_MS: '0' });
    expect(out).toMatch(EXPORT_BAR);
    expect(out).toContain('\x1b[2K');
    expect(fs.readFileSync(path.join(dir!, '.beads', 'issues.jsonl'), 'utf8')).toContain('"title":"Renamed"');
  });

  it('should draw a forced full export in a terminal, and nothing of it with --json', () => {
    runCliOk(['import', '-i', big, '--no-daemon'], { cwd: dir! });
    // bd's `export` prints to stdout; `-o` names the file (here the workspace's own JSONL).
    const jsonl = path.join(dir!, '.beads', 'issues.jsonl');
    expect(runInTerminal(dir!, ['export', '-o', jsonl, '--force', '--no-daemon'], { BD_RX_PROGRESS_AFTER_MS: '0' })).toMatch(EXPORT_BAR);
    fs.rmSync(jsonl);
    const json = runInTerminal(dir!, ['export', '-o', jsonl, '--force', '--no-daemon', '--json'], { BD_RX_PROGRESS_AFTER_MS: '0' });
    expect(json).not.toContain('lines/s');
    expect(fs.readFileSync(jsonl, 'utf8').split('\n').filter(Boolean)).toHaveLength(ISSUES);
  });

  it('should write nothing of it when stderr is not a terminal', () => {
    const r = runCli(['import', '-i', big, '--no-daemon'], { cwd: dir!, env: { BD_RX_PROGRESS_AFTER_MS: '0' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${ISSUES} created`);
    expect(r.stderr).not.toContain('lines/s');
    expect(r.stderr).not.toContain('\x1b[');
  });
});
