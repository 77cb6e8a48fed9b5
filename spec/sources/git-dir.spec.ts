import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findGitRefs } from '../../src/sources/git-dir';

const tmpDirs: string[] = [];
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** realpath: git reports the physical path, and os.tmpdir() may be a symlink (macOS). */
function tmpDir(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-git-')));
  tmpDirs.push(d);
  return d;
}

function git(cwd: string, ...args: string[]): void {
  const env = { ...process.env };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE']) delete env[name];
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    env,
    stdio: 'ignore',
  });
}

function repo(): string {
  const root = tmpDir();
  git(root, 'init', '-q', '-b', 'main');
  fs.mkdirSync(path.join(root, '.beads'));
  fs.writeFileSync(path.join(root, '.beads', 'issues.jsonl'), '{"id":"bd-1"}\n');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'init');
  return root;
}

describe('findGitRefs', () => {
  it('should give the same absolute .git for HEAD and refs in an ordinary repository', () => {
    const root = repo();

    expect(findGitRefs(root)).toEqual({ gitDir: path.join(root, '.git'), commonDir: path.join(root, '.git') });
  });

  it('should give absolute paths from a subdirectory such as .beads/', () => {
    const root = repo();

    expect(findGitRefs(path.join(root, '.beads'))).toEqual({
      gitDir: path.join(root, '.git'),
      commonDir: path.join(root, '.git'),
    });
  });

  it('should put HEAD in the worktree git dir and refs in the main one for a linked worktree', () => {
    const root = repo();
    const wt = path.join(tmpDir(), 'wt');
    git(root, 'worktree', 'add', '-q', '-b', 'side', wt);

    const refs = findGitRefs(path.join(wt, '.beads'));

    expect(refs).toEqual({ gitDir: path.join(root, '.git', 'worktrees', 'wt'), commonDir: path.join(root, '.git') });
    expect(fs.readFileSync(path.join(refs!.gitDir, 'HEAD'), 'utf8')).toBe('ref: refs/heads/side\n');
    expect(fs.existsSync(path.join(refs!.commonDir, 'refs', 'heads', 'side'))).toBe(true);
  });

  it('should ignore a GIT_DIR inherited from a git hook and find the workspace repository', () => {
    const root = repo();
    const elsewhere = repo();
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = path.join(elsewhere, '.git');
    try {
      expect(findGitRefs(root)?.gitDir).toBe(path.join(root, '.git'));
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });

  it('should return null outside a repository', () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, '.beads'));
    // Stop discovery at dir's parent, in case the temp dir itself sits inside some checkout.
    const saved = process.env.GIT_CEILING_DIRECTORIES;
    process.env.GIT_CEILING_DIRECTORIES = path.dirname(dir);
    try {
      expect(findGitRefs(path.join(dir, '.beads'))).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
      else process.env.GIT_CEILING_DIRECTORIES = saved;
    }
  });

  it('should return null when git is not installed', () => {
    const root = repo();
    const saved = process.env.PATH;
    process.env.PATH = tmpDir();
    try {
      expect(findGitRefs(root)).toBeNull();
    } finally {
      process.env.PATH = saved;
    }
  });

  it('should return null for a directory that does not exist', () => {
    expect(findGitRefs(path.join(tmpDir(), 'gone'))).toBeNull();
  });
});
