import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { RpcClient } from '../../src/rpc/rpc-client';
import { socketPathFor } from '../../src/rpc/socket-path';
import { CLI_BIN, cleanEnv, GIT_ENV, readDbIssues } from '../helpers/daemon-process';
import { jsonlIds } from '../helpers/real-daemon';
import { gitOk, type GitSandbox } from './git-repos';

/**
 * Clones of one bare remote, each a bd-rx workspace, for the daemon-level git tests: the CLI
 * and RPC calls a user or an agent would make in each, and what each clone's files hold.
 * Every child gets its git identity from the environment (GIT_ENV): CI has no git config.
 */

const run = promisify(execFile);
export const CLONE_ENV = cleanEnv(GIT_ENV);

/** Runs the compiled CLI in `dir` to completion; fails on a non-zero exit. */
export function cli(dir: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { cwd: dir, env: CLONE_ENV, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`bd-rx ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The CLI without blocking the test's event loop, so two clones' commands really overlap. */
export async function cliAsync(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI_BIN, ...args], { cwd: dir, env: CLONE_ENV, timeout: 30_000 });
  return stdout;
}

export async function createIssue(dir: string, title: string, extra: string[] = []): Promise<string> {
  return (JSON.parse(await cliAsync(dir, ['create', title, '--json', ...extra])) as { id: string }).id;
}

export const jsonlOf = (dir: string): string => path.join(dir, '.beads', 'issues.jsonl');
export const dbOf = (dir: string): string => path.join(dir, '.beads', 'beads.db');
export const dbIds = (dir: string): string[] => readDbIssues(dbOf(dir)).map((r) => r.id);
/**
 * The clone's JSONL, or null while there is none: also for the moment an export's checked swap
 * has the path empty (src/jsonl/swap-checked.ts), which a poll may hit between its two calls.
 */
export function readJsonl(dir: string): string | null {
  try {
    return fs.readFileSync(jsonlOf(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The JSONL's records by id ({} while there is no file). */
export function jsonlRecords(dir: string): Map<string, Record<string, unknown>> {
  const text = readJsonl(dir) ?? '';
  const out = new Map<string, Record<string, unknown>>();
  for (const l of text.split('\n')) {
    if (l.trim() === '') continue;
    const r = JSON.parse(l) as Record<string, unknown>;
    out.set(String(r.id), r);
  }
  return out;
}

/** True once every clone's JSONL has the same bytes and `check` holds for them. */
export function sameJsonl(dirs: string[], check: (records: Map<string, Record<string, unknown>>) => boolean = () => true): boolean {
  const texts = dirs.map(readJsonl);
  return texts[0] !== null && texts.every((t) => t === texts[0]) && check(jsonlRecords(dirs[0]));
}

/**
 * A's workspace committed and pushed, then the other clones made and initialised from it.
 * The remote keeps a reflog, so a test can check afterwards that no update was forced.
 */
export function workspaceClones(s: GitSandbox, others: string[]): string[] {
  gitOk(s.remote, ['config', 'core.logAllRefUpdates', 'true']);
  const a = s.clone('a');
  cli(a, ['init', '--prefix', 't']);
  gitOk(a, ['add', '.beads']);
  gitOk(a, ['commit', '--quiet', '-m', 'beads']);
  gitOk(a, ['push', '--quiet', 'origin', 'HEAD:main']);
  return [
    a,
    ...others.map((name) => {
      const dir = s.clone(name);
      cli(dir, ['init', '--prefix', 't']);
      return dir;
    }),
  ];
}

/** Each update of the remote's `main`, oldest first, and whether every one descends from the one before. */
export function remoteHistory(s: GitSandbox): { updates: string[]; forced: string[] } {
  const updates = gitOk(s.remote, ['reflog', 'show', '--format=%H', 'refs/heads/main']).trim().split('\n').reverse();
  const forced: string[] = [];
  for (let i = 1; i < updates.length; i++) {
    const r = spawnSync('git', ['merge-base', '--is-ancestor', updates[i - 1], updates[i]], { cwd: s.remote, env: CLONE_ENV });
    if (r.status !== 0) forced.push(`${updates[i - 1]}..${updates[i]}`);
  }
  return { updates, forced };
}

/** The conflict markers git's textual merge would leave, at the start of a line. */
export const CONFLICT_MARKER = /^(<<<<<<<|=======|>>>>>>>)/m;

/** A connection to the daemon of the workspace at `dir`, as an agent would hold one. */
export function connect(dir: string, actor = 'agent'): Promise<RpcClient> {
  return RpcClient.connect(socketPathFor(dir), { timeoutMs: 60_000, expectedDb: dbOf(dir), actor });
}

export { jsonlIds };
