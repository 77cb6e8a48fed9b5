import * as fs from 'node:fs';
import * as path from 'node:path';
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process';
import { runCliAsync, type CliRun } from '../helpers/real-daemon';
import { initWorkspace, makeTempDir, removeDir, runCliOk } from '../helpers/run-cli';
import { shapeProblems, type Shape } from './bd-types';
import { CLI_ROWS, SEED, type CliRow } from './cli-rows';

/**
 * Every row of cli-rows.ts against bd-rx: once in direct mode, once through a real daemon on the
 * workspace socket. Each mode gets its own workspace, seeded the same way; rows run in order.
 */

jest.setTimeout(120_000);

const label = (row: CliRow) =>
  `bd-rx ${row.args.join(' ')}${row.outside ? ' (outside the workspace)' : ''}${row.env ? ` ${JSON.stringify(row.env)}` : ''}` +
  `${row.differs ? ` [differs from bd: ${row.differs}]` : ''}`;

/** What is wrong with one run against its row ([] when nothing). */
function rowProblems(row: CliRow, run: CliRun): string[] {
  const problems: string[] = [];
  if (run.code !== row.exit) problems.push(`exit ${run.code}, bd exits ${row.exit}`);
  if (row.stdout === 'empty') {
    if (run.stdout !== '') problems.push(`stdout should be empty, got ${JSON.stringify(run.stdout.slice(0, 200))}`);
  } else if (row.stdout === 'text') {
    if (run.json !== undefined && typeof run.json === 'object') problems.push('stdout should be text, got JSON');
  } else if (row.stdout !== 'any') {
    if (run.json === undefined) problems.push(`stdout should be JSON, got ${JSON.stringify(run.stdout.slice(0, 200))}`);
    else problems.push(...shapeProblems(run.json, row.stdout as Shape).slice(0, 12));
  }
  if (row.stderr && !run.stderr.includes(row.stderr)) problems.push(`stderr should contain ${JSON.stringify(row.stderr)}`);
  if (problems.length === 0 && row.check) {
    try {
      row.check(run.json, run.stdout);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) problems.push(`stderr: ${run.stderr.slice(0, 300)}`);
  return problems;
}

function describeMode(mode: 'direct' | 'daemon'): void {
  describe(`bd's CLI surface (${mode} mode)`, () => {
    let ws: string;
    let outside: string;
    let daemon: DaemonProcess | undefined;
    const fill = (s: string) => s.replace('{db}', path.join(ws, '.beads', 'beads.db')).replace('{tmp}', outside);

    beforeAll(async () => {
      ws = initWorkspace(makeTempDir(`compat-${mode}`), 'cp');
      outside = makeTempDir(`compat-${mode}-outside`);
      for (const args of SEED) runCliOk(args, { cwd: ws });
      if (mode === 'daemon') {
        daemon = startDaemon({ cwd: ws, args: ['--debounce-ms', '50'] });
        await daemon.waitUntilWatching();
      }
    });

    afterAll(async () => {
      if (daemon) await daemon.stop();
      removeDir(ws);
      removeDir(outside);
    });

    if (mode === 'daemon') {
      it('should really go through the daemon (info says so)', async () => {
        const run = await runCliAsync(['info', '--json'], { cwd: ws });
        expect(run.json).toMatchObject({ mode: 'daemon', daemon_connected: true });
      });
    }

    it.each(CLI_ROWS.map((row, i) => [i, label(row), row] as const))('row %i: %s should match bd', async (_i, _l, row) => {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(row.env ?? {})) env[k] = fill(v);
      const run = await runCliAsync(row.args.map(fill), { cwd: row.outside ? outside : ws, env });
      expect(rowProblems(row, run)).toEqual([]);
    });

    it('should leave a JSONL every line of which is an issue', () => {
      const lines = fs.readFileSync(path.join(ws, '.beads', 'issues.jsonl'), 'utf8').trim().split('\n');
      expect(lines.every((l) => typeof JSON.parse(l).id === 'string')).toBe(true);
    });
  });
}

describeMode('direct');
describeMode('daemon');
