import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SocketDirError } from '../../src/rpc/rpc-errors';
import { MAX_SOCKET_PATH_BYTES, prepareSocketDir, socketPathFor } from '../../src/rpc/socket-path';
import { longWorkspace, removeDir, tempDir } from './rpc-test-helpers';

describe('socketPathFor', () => {
  let root: string;
  beforeEach(() => {
    root = fs.realpathSync(tempDir());
  });
  afterEach(() => removeDir(root));

  it('should put the socket in .beads when the path fits', () => {
    expect(socketPathFor(root)).toBe(path.join(root, '.beads', 'bd.sock'));
  });

  it('should fall back to /tmp/beads-<first 8 hex of sha256(workspace)>/bd.sock for a long path', () => {
    const workspace = longWorkspace(root);
    expect(Buffer.byteLength(path.join(workspace, '.beads', 'bd.sock'))).toBeGreaterThan(MAX_SOCKET_PATH_BYTES);
    const hash = createHash('sha256').update(workspace).digest('hex').slice(0, 8);
    expect(socketPathFor(workspace)).toBe(`/tmp/beads-${hash}/bd.sock`);
  });

  it("should use BD_SOCKET when it is set, as bd's CLI and daemon do", () => {
    const chosen = path.join(root, 'elsewhere', 'my.sock');
    expect(socketPathFor(longWorkspace(root), { BD_SOCKET: chosen })).toBe(chosen);
    expect(socketPathFor(root, {})).toBe(path.join(root, '.beads', 'bd.sock'));
  });

  it('should give the same path through a symlinked or relative workspace', () => {
    const workspace = longWorkspace(root);
    const link = path.join(root, 'link');
    fs.symlinkSync(workspace, link);
    expect(socketPathFor(link)).toBe(socketPathFor(workspace));
    expect(socketPathFor(path.relative(process.cwd(), workspace))).toBe(socketPathFor(workspace));
  });
});

describe('prepareSocketDir', () => {
  const fallbackDir = `/tmp/beads-${createHash('sha256').update(`spec-${process.pid}-${Date.now()}`).digest('hex').slice(0, 8)}`;
  afterEach(() => removeDir(fallbackDir));

  it('should create the /tmp fallback directory with mode 0700', () => {
    prepareSocketDir(path.join(fallbackDir, 'bd.sock'));
    const stat = fs.lstatSync(fallbackDir);
    expect(stat.isDirectory()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o700);
  });

  it('should tighten an existing fallback directory of ours to 0700', () => {
    fs.mkdirSync(fallbackDir, { mode: 0o755 });
    fs.chmodSync(fallbackDir, 0o755);
    prepareSocketDir(path.join(fallbackDir, 'bd.sock'));
    expect(fs.lstatSync(fallbackDir).mode & 0o777).toBe(0o700);
  });

  it('should refuse a fallback path that is a symlink instead of a directory', () => {
    const target = tempDir();
    try {
      fs.symlinkSync(target, fallbackDir);
      expect(() => prepareSocketDir(path.join(fallbackDir, 'bd.sock'))).toThrow(SocketDirError);
      expect(() => prepareSocketDir(path.join(fallbackDir, 'bd.sock'))).toThrow(`${fallbackDir} is not a directory`);
    } finally {
      fs.rmSync(fallbackDir, { force: true });
      removeDir(target);
    }
  });
});
