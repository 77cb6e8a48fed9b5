import { execFile } from 'node:child_process';
import { map, Observable } from 'rxjs';

/**
 * Variables that point git at a repository other than the one around `cwd`. A daemon started
 * from a git hook inherits them (often relative to the hook's cwd, not ours), and every call
 * here names its repository by `cwd` alone.
 */
const REPO_LOCATING_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', 'GIT_PREFIX'];

/** The JSONL can be large; git's output is buffered whole (a 100k-issue file is ~90 MB). */
const MAX_BUFFER = 1024 * 1024 * 1024;

export interface GitCallOptions {
  /** The repository: any directory inside its work tree. */
  cwd: string;
  /** Exit codes that are answers, not failures (e.g. 1 for `diff --quiet`: "there are changes"). */
  okCodes?: number[];
  /** Added to the environment (after the repository-locating variables are removed). */
  env?: NodeJS.ProcessEnv;
  /** `NAME=VALUE` settings passed as `-c` before the command (left out of error messages). */
  config?: readonly string[];
  /** Kill git after this long (default 120 s): a hung credential helper must not hold the lane. */
  timeoutMs?: number;
}

export interface GitOutput {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** git exited with a code not in `okCodes`, or could not be started. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | string,
    readonly stderr: string,
  ) {
    super(
      code === 'ENOENT'
        ? 'git is not installed or not on PATH: install git, or run without git sync'
        : `git ${args.join(' ')} failed (${typeof code === 'number' ? `exit ${code}` : code}): ${firstLine(stderr) || 'no message'}`,
    );
    this.name = 'GitCommandError';
  }
}

/** A ref or name that git would read as an option (or cannot take at all); nothing was run. */
export class GitArgumentError extends Error {
  constructor(what: string, value: string) {
    super(`refusing ${what} ${JSON.stringify(value)}: git would read it as an option (or cannot take it); rename it`);
    this.name = 'GitArgumentError';
  }
}

/** Refs and remote names are passed where `--` cannot fence them off: refuse what reads as an option. */
export function assertNotOption(what: string, value: string): string {
  if (value === '' || value.startsWith('-') || value.includes('\0')) throw new GitArgumentError(what, value);
  return value;
}

function firstLine(text: string): string {
  return text.trim().split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

/** The environment git runs in: never prompts, pathspecs are literal, messages in English. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPO_LOCATING_ENV) delete env[name];
  return {
    ...env,
    // A prompt for a password would wait forever on a daemon with no terminal.
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: env.GIT_ASKPASS ?? '',
    SSH_ASKPASS: env.SSH_ASKPASS ?? '',
    // An issue file named `:(glob)*` or `*.jsonl` is a file name, not a pattern.
    GIT_LITERAL_PATHSPECS: '1',
    // `git status` must not take index.lock (and so fail a user's concurrent `git add`).
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

/**
 * One git command as an Observable: `execFile` with an argument array (no shell, so ids and
 * paths are never interpreted), one value on completion, an error for an unexpected exit code.
 * Unsubscribing kills git. Cold: nothing runs until subscribed.
 */
export function git$(args: readonly string[], opts: GitCallOptions): Observable<GitOutput> {
  return new Observable<GitOutput>((subscriber) => {
    const okCodes = opts.okCodes ?? [0];
    const child = execFile(
      'git',
      [...(opts.config ?? []).flatMap((c) => ['-c', c]), ...args],
      {
        cwd: opts.cwd,
        env: gitEnv(opts.env),
        encoding: 'buffer',
        maxBuffer: MAX_BUFFER,
        timeout: opts.timeoutMs ?? 120_000,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        const errText = stderr.toString('utf8');
        // A non-zero exit gives `code` as a number; a spawn failure an errno string (ENOENT);
        // a timeout a signal and no code.
        const raw = (err as (Error & { code?: number | string; signal?: string }) | null)?.code;
        const code = err ? (raw ?? `killed by ${(err as { signal?: string }).signal ?? 'a signal'} (timeout?)`) : 0;
        if (typeof code !== 'number' || !okCodes.includes(code)) {
          subscriber.error(new GitCommandError(args, code, errText));
          return;
        }
        subscriber.next({ code, stdout, stderr: errText });
        subscriber.complete();
      },
    );
    child.stdin?.end();
    return () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
  });
}

/** `git$` for commands whose answer is text: stdout as UTF-8, trailing newline removed. */
export function gitText$(args: readonly string[], opts: GitCallOptions): Observable<string> {
  return git$(args, opts).pipe(map((o) => o.stdout.toString('utf8').replace(/\n$/, '')));
}
