import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_BIN } from '../helpers/run-cli';

/**
 * Real git repositories in a temp dir for tests: a bare remote and clones of it. Every git call
 * gets its own identity and no system or global config, as on CI.
 */
export const GIT_TEST_ENV: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** The environment for a child in these tests: git identity, and `bin` first on PATH when given. */
export function testEnv(bin?: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...GIT_TEST_ENV, BD_ACTOR: 'tester', ...extra };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'BEADS_DIR']) delete env[k];
  if (bin) env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
  return env;
}

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = testEnv()): GitRun {
  const r = spawnSync('git', args, { cwd, env, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs git and fails the test on a non-zero exit; returns stdout. */
export function gitOk(cwd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = git(cwd, args, env);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} (in ${cwd}) exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface GitSandbox {
  root: string;
  remote: string;
  /** A directory holding a `bd-rx` that runs the compiled CLI: put it on PATH to "install" bd-rx. */
  bin: string;
  /** A new clone of the remote at `root/NAME`. */
  clone(name: string): string;
  dispose(): void;
}

/** A bare remote (branch `main`, one commit with a README) and a `bd-rx` for PATH. */
export function makeGitSandbox(label = 'git'): GitSandbox {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `bd-rx-${label}-`)));
  const remote = path.join(root, 'remote.git');
  gitOk(root, ['init', '--quiet', '--bare', '-b', 'main', remote]);
  const seed = path.join(root, 'seed');
  gitOk(root, ['clone', '--quiet', remote, seed]);
  fs.writeFileSync(path.join(seed, 'README.md'), '# test\n');
  gitOk(seed, ['add', 'README.md']);
  gitOk(seed, ['commit', '--quiet', '-m', 'seed']);
  gitOk(seed, ['push', '--quiet', 'origin', 'HEAD:main']);
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'bd-rx'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} "$@"\n`, { mode: 0o755 });
  return {
    root,
    remote,
    bin,
    clone(name) {
      const dir = path.join(root, name);
      gitOk(root, ['clone', '--quiet', remote, dir]);
      return dir;
    },
    dispose() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Call inside a `describe`: a sandbox per test, removed after it. */
export function useGitSandboxes(): (label?: string) => GitSandbox {
  const open: GitSandbox[] = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.dispose();
  });
  return (label) => {
    const s = makeGitSandbox(label);
    open.push(s);
    return s;
  };
}
