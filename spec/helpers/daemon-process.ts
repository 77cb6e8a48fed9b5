import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { LoggedEvent } from '../../src/events/daemon-event';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { waitFor, waitForQuiet } from './wait-for';

/**
 * A real `bd-rx daemon` in a child process, for integration tests: real files, real chokidar,
 * real timers, real signals. The daemon's stdout (its NDJSON event log) is parsed as it arrives.
 */

export const REPO_ROOT = path.resolve(__dirname, '../..');
/** The compiled CLI (`npm test` builds it before jest); BD_RX_CLI_BIN points at another build. */
export const CLI_BIN = process.env.BD_RX_CLI_BIN ?? path.join(REPO_ROOT, 'dist/cli/bin.js');

/** Settings the daemon reads from the environment: cleared so the host's values cannot leak in. */
const DAEMON_ENV = [
  'BEADS_DIR',
  'BEADS_DAEMON_MODE',
  'BEADS_DEBOUNCE_MS',
  'BEADS_DEBOUNCE_MAX_MS',
  'BEADS_WATCHER_FALLBACK',
  'BEADS_POLL_INTERVAL',
  'BEADS_DASHBOARD',
  'BEADS_DASHBOARD_PORT',
  'BEADS_SAFETY_INTERVAL',
];

/** Identity for git in tests: CI has no global git config. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export interface StartDaemonOptions {
  /** The workspace root (the daemon runs there). */
  cwd: string;
  /** Arguments after `daemon`, e.g. `['--debounce-ms', '300']`. */
  args?: string[];
  /** Added to the (cleaned) environment; a key set to `undefined` is removed. */
  env?: NodeJS.ProcessEnv;
  /**
   * A command the daemon is exec'd through, e.g. `unshare -Ur sh -c '… && exec "$@"' sh`. It must
   * exec (not fork), so the child's pid is the daemon's and signals reach it.
   */
  wrap?: string[];
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type EventPredicate = (event: LoggedEvent) => boolean;

/** `type` alone, or a predicate over the whole event. */
export type EventMatch = LoggedEvent['type'] | EventPredicate;

function matcher(match: EventMatch): EventPredicate {
  return typeof match === 'string' ? (e) => e.type === match : match;
}

function describeMatch(match: EventMatch): string {
  return typeof match === 'string' ? match : 'a matching event';
}

export class DaemonProcess {
  /** Every event logged so far, in order. */
  readonly events: LoggedEvent[] = [];
  /** Every complete stdout line, as written. */
  readonly lines: string[] = [];
  /** stdout lines that are not a JSON object with a string `ts` and `type`. */
  readonly badLines: string[] = [];
  stderr = '';
  exit: DaemonExit | undefined;
  readonly exited: Promise<DaemonExit>;
  private partial = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.take(chunk));
    child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise<DaemonExit>((resolve) => {
      // 'close', not 'exit': by then stdout has been read to its end.
      child.on('close', (code, signal) => {
        if (this.partial !== '') this.line(this.partial);
        this.partial = '';
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private take(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const l of parts) this.line(l);
  }

  private line(l: string): void {
    this.lines.push(l);
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch {
      this.badLines.push(l);
      return;
    }
    const v = value as { ts?: unknown; type?: unknown } | null;
    if (
      v === null ||
      typeof v !== 'object' ||
      Array.isArray(v) ||
      typeof v.type !== 'string' ||
      typeof v.ts !== 'string' ||
      Number.isNaN(Date.parse(v.ts))
    ) {
      this.badLines.push(l);
      return;
    }
    this.events.push(value as LoggedEvent);
  }

  /** The events matching, from index `from` on. */
  all(match: EventMatch, from = 0): LoggedEvent[] {
    return this.events.slice(from).filter(matcher(match));
  }

  count(match: EventMatch, from = 0): number {
    return this.all(match, from).length;
  }

  /** Where the log is now: pass it as `from` to look only at what comes after. */
  mark(): number {
    return this.events.length;
  }

  /**
   * The first event matching at index `from` or later. Fails early, with the log and stderr,
   * if the daemon exits before it is seen.
   */
  async waitForEvent(match: EventMatch, timeoutMs: number, from = 0, what = describeMatch(match)): Promise<LoggedEvent> {
    const pred = matcher(match);
    try {
      return await waitFor(
        () => {
          const found = this.events.slice(from).find(pred);
          if (found) return found;
          if (this.exit) throw new Error(`the daemon exited (${JSON.stringify(this.exit)}) before ${what}`);
          return undefined;
        },
        timeoutMs,
        what,
        10,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${this.transcript()}`);
    }
  }

  /** Resolves once no event matching has been logged for `quietMs` ("the burst is over"). */
  async waitForQuiet(match: EventMatch, quietMs: number, timeoutMs: number): Promise<void> {
    await waitForQuiet(() => this.count(match), quietMs, timeoutMs, `no new ${describeMatch(match)} for ${quietMs} ms`);
  }

  /**
   * Waits until the file watcher is in place and the import it asks for has run, so a change made
   * afterwards is seen and is not folded into start-up work.
   */
  async waitUntilWatching(timeoutMs = 20_000): Promise<void> {
    const requested = await this.waitForEvent(
      (e) => e.type === 'sync/requested' && e.kind === 'import' && e.reason === 'watcher ready',
      timeoutMs,
      0,
      'the watcher to be ready (sync/requested import "watcher ready")',
    );
    await this.waitForEvent(
      (e) => e.type.startsWith('import/'),
      timeoutMs,
      this.events.indexOf(requested),
      'the import asked for when the watcher became ready',
    );
  }

  /** Sends `signal` and resolves with how the daemon ended. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<DaemonExit> {
    if (!this.exit) this.child.kill(signal);
    return this.waitForExit(timeoutMs);
  }

  async waitForExit(timeoutMs = 15_000): Promise<DaemonExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the daemon did not exit within ${timeoutMs} ms\n${this.transcript()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL if still running (cleanup). */
  async kill(): Promise<void> {
    if (this.exit) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** The log and stderr, for failure messages. */
  transcript(): string {
    const tail = this.lines.slice(-60).join('\n');
    return `--- daemon stdout (last 60 lines of ${this.lines.length}) ---\n${tail}\n--- daemon stderr ---\n${this.stderr}`;
  }
}

export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of DAEMON_ENV) delete env[k];
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Starts `bd-rx daemon ARGS` in `cwd`. Prefer {@link useDaemons}, which always cleans up. */
export function startDaemon(opts: StartDaemonOptions): DaemonProcess {
  const command = [...(opts.wrap ?? []), process.execPath, CLI_BIN, 'daemon', ...(opts.args ?? [])];
  const child = spawn(command[0], command.slice(1), {
    cwd: opts.cwd,
    env: cleanEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new DaemonProcess(child);
}

/** A bd-looking issue line, as a teammate's bd (or git) would put it in the JSONL. */
export function issueLine(id: string, fields: Record<string, unknown> = {}): string {
  return serializeRecord({
    id,
    title: `Issue ${id}`,
    status: 'open',
    priority: 2,
    issue_type: 'task',
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    ...fields,
  });
}

export interface Workspace {
  root: string;
  beadsDir: string;
  jsonlPath: string;
  dbPath: string;
}

/** The DB as the daemon left it, read without going through the CLI (which would import first). */
export function readDbIssues(dbPath: string): Array<{ id: string; title: string; dirty: number }> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, title, dirty FROM issues ORDER BY id').all() as Array<{
      id: string;
      title: string;
      dirty: number;
    }>;
  } finally {
    db.close();
  }
}

export function runGit(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, env: cleanEnv(GIT_ENV), encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Runs the compiled CLI to completion (e.g. `init`), failing the test on a non-zero exit. */
export function runCliOk(cwd: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`bd-rx ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Call inside a `describe`. Returns factories for temp workspaces and daemons; after each test
 * every daemon still running is killed (SIGKILL) and every workspace removed.
 */
export function useDaemons(): {
  workspace: (opts?: { prefix?: string; lines?: string[]; git?: boolean }) => Workspace;
  start: (opts: StartDaemonOptions) => DaemonProcess;
} {
  const daemons: DaemonProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(daemons.splice(0).map((d) => d.kill()));
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return {
    workspace: (opts = {}) => {
      const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-daemon-')));
      dirs.push(root);
      if (opts.git) runGit(root, ['init', '-q', '-b', 'main']);
      const beadsDir = path.join(root, '.beads');
      const jsonlPath = path.join(beadsDir, 'issues.jsonl');
      if (opts.lines) {
        fs.mkdirSync(beadsDir, { recursive: true });
        fs.writeFileSync(jsonlPath, opts.lines.map((l) => l + '\n').join(''));
      }
      // `init` imports a JSONL that is already there, as for a fresh clone.
      runCliOk(root, ['init', '--prefix', opts.prefix ?? 't']);
      return { root, beadsDir, jsonlPath, dbPath: path.join(beadsDir, 'beads.db') };
    },
    start: (opts) => {
      const d = startDaemon(opts);
      daemons.push(d);
      return d;
    },
  };
}
