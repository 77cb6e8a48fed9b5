import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The compiled CLI, as users run it (`npm test` builds it before jest starts); BD_RX_CLI_BIN
 * points the suite at another build.
 */
export const CLI_BIN = process.env.BD_RX_CLI_BIN ?? path.resolve(__dirname, '../../dist/cli/bin.js');
export const FIXTURES = path.resolve(__dirname, '../fixtures');

export interface RunCliOptions {
  cwd: string;
  /** Added to the environment; a key set to `undefined` is removed for this call. */
  env?: NodeJS.ProcessEnv;
  /** Flags put before the command, in place of `defaultCliFlags` (e.g. daemon routing). */
  flags?: string[];
  input?: string;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is JSON. */
  json?: any;
}

/**
 * Flags every call gets before its own arguments. Empty while the CLI has only direct mode;
 * when daemon routing lands, a suite can set e.g. `['--no-daemon']` here or per call.
 */
export const defaultCliFlags: string[] = [];

/** Runs `bd-rx ARGS` in a fresh node process, as a user's shell would. */
export function runCli(args: string[], opts: RunCliOptions): CliResult {
  const r = spawnSync(process.execPath, [CLI_BIN, ...(opts.flags ?? defaultCliFlags), ...args], {
    cwd: opts.cwd,
    env: { ...process.env, BD_ACTOR: 'tester', ...opts.env },
    input: opts.input,
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (r.error) throw r.error;
  const result: CliResult = {
    code: r.status ?? 128 + (r.signal ? os.constants.signals[r.signal] : 0),
    stdout: r.stdout,
    stderr: r.stderr,
  };
  try {
    result.json = JSON.parse(r.stdout);
  } catch {
    // not JSON output: leave json unset
  }
  return result;
}

/** Like runCli, but a non-zero exit fails the test with the command and its stderr. */
export function runCliOk(args: string[], opts: RunCliOptions): CliResult {
  const r = runCli(args, opts);
  if (r.code !== 0) {
    throw new Error(`bd-rx ${args.join(' ')} exited ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  }
  return r;
}

/** A fresh, empty directory under the OS temp dir (no `.beads/` above it). */
export function makeTempDir(label = 'cli'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `bd-rx-${label}-`)));
}

export function removeDir(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** `DIR` initialised with `bd-rx init --prefix PREFIX`; returns DIR. */
export function initWorkspace(dir: string, prefix: string): string {
  fs.mkdirSync(dir, { recursive: true });
  runCliOk(['init', '--prefix', prefix], { cwd: dir });
  return dir;
}

/** Creates an issue and returns it as `create --json` printed it. */
export function createIssue(cwd: string, title: string, ...flags: string[]): Record<string, any> {
  return runCliOk(['create', title, ...flags, '--json'], { cwd }).json;
}

export function jsonlPath(root: string): string {
  return path.join(root, '.beads', 'issues.jsonl');
}

/** The workspace JSONL as text, its lines and the parsed records. */
export function readJsonl(root: string): { text: string; lines: string[]; records: Array<Record<string, any>> } {
  const text = fs.readFileSync(jsonlPath(root), 'utf8');
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  return { text, lines, records: lines.map((l) => JSON.parse(l)) };
}

/** bd's byte style: compact JSON with `<`, `>`, `&` escaped as Go's encoder does. */
export function bdStringify(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/**
 * Every way `text` differs from what bd writes: one compact JSON object per line with a
 * trailing newline, `id` the first key, lines sorted by id in byte order, `<>&` escaped.
 */
export function bdJsonlProblems(text: string): string[] {
  if (text === '') return [];
  const problems: string[] = [];
  if (!text.endsWith('\n')) problems.push('no trailing newline');
  const lines = text.replace(/\n$/, '').split('\n');
  let previousId: string | undefined;
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line);
    } catch {
      problems.push(`${where} is not JSON`);
      return;
    }
    if (Object.keys(record)[0] !== 'id') problems.push(`${where}: first key is not id`);
    if (bdStringify(record) !== line) problems.push(`${where} is not compact bd-escaped JSON`);
    const id = String(record.id);
    if (previousId !== undefined && Buffer.compare(Buffer.from(previousId), Buffer.from(id)) >= 0) {
      problems.push(`${where}: ${id} is not after ${previousId}`);
    }
    previousId = id;
  });
  return problems;
}

/** Copies a file of spec/fixtures/ to `dest`, making its directory. */
export function copyFixture(name: string, dest: string): void {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, name), dest);
}
