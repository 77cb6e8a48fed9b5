import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SocketDirError } from '../../src/rpc/rpc-errors';
import { assertTrustedSocket, MAX_SOCKET_PATH_BYTES, prepareSocketDir, socketPathFor } from '../../src/rpc/socket-path';
import { leaveStaleSocket, longWorkspace, removeDir, tempDir } from './rpc-test-helpers';

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

  it('should refuse an existing fallback directory of ours with another mode than 0700, and leave it as it is', () => {
    fs.mkdirSync(fallbackDir, { mode: 0o755 });
    fs.chmodSync(fallbackDir, 0o777);
    expect(() => prepareSocketDir(path.join(fallbackDir, 'bd.sock'))).toThrow(SocketDirError);
    expect(() => prepareSocketDir(path.join(fallbackDir, 'bd.sock'))).toThrow(
      `${fallbackDir} has mode 0777, not 0700, so another user may have put a listener in it: remove it (\`rm -r ${fallbackDir}\`)`,
    );
    expect(fs.lstatSync(fallbackDir).mode & 0o777).toBe(0o777);
  });

  it('should refuse a fallback path that is a symlink instead of a directory', () => {
    const target = tempDir();
    try {
      fs.symlinkSync(target, fallbackDir);
      expect(() => prepareSocketDir(path.join(fallbackDir, 'bd.sock'))).toThrow(SocketDirError);
      expect(() => prepareSocketDir(path.join(fallbackDir, 'bd.sock'))).toThrow(`${fallbackDir} is a symlink, not a directory`);
    } finally {
      fs.rmSync(fallbackDir, { force: true });
      removeDir(target);
    }
  });
});

describe('assertTrustedSocket', () => {
  const fallbackDir = `/tmp/beads-${createHash('sha256').update(`trust-${process.pid}-${Date.now()}`).digest('hex').slice(0, 8)}`;
  let dir: string;
  beforeEach(() => {
    dir = fs.realpathSync(tempDir());
  });
  afterEach(() => {
    fs.rmSync(fallbackDir, { recursive: true, force: true });
    removeDir(dir);
  });

  it('should accept no socket at all, and a socket of ours in a workspace or a 0700 fallback directory', async () => {
    expect(() => assertTrustedSocket(path.join(dir, 'bd.sock'))).not.toThrow();
    expect(() => assertTrustedSocket(path.join(fallbackDir, 'bd.sock'))).not.toThrow();
    await leaveStaleSocket(path.join(dir, 'bd.sock'));
    expect(() => assertTrustedSocket(path.join(dir, 'bd.sock'))).not.toThrow();
    prepareSocketDir(path.join(fallbackDir, 'bd.sock'));
    await leaveStaleSocket(path.join(fallbackDir, 'bd.sock'));
    expect(() => assertTrustedSocket(path.join(fallbackDir, 'bd.sock'))).not.toThrow();
  });

  it('should refuse a symlink or a plain file at the socket path', async () => {
    const real = path.join(dir, 'real.sock');
    await leaveStaleSocket(real);
    fs.symlinkSync(real, path.join(dir, 'bd.sock'));
    expect(() => assertTrustedSocket(path.join(dir, 'bd.sock'))).toThrow(/it is a symlink, so another user may be listening there/);
    fs.writeFileSync(path.join(dir, 'plain'), '');
    expect(() => assertTrustedSocket(path.join(dir, 'plain'))).toThrow(/it is not a socket/);
  });

  it('should refuse a socket in a fallback directory open to others', async () => {
    fs.mkdirSync(fallbackDir, { mode: 0o700 });
    await leaveStaleSocket(path.join(fallbackDir, 'bd.sock'));
    fs.chmodSync(fallbackDir, 0o777);
    expect(() => assertTrustedSocket(path.join(fallbackDir, 'bd.sock'))).toThrow(SocketDirError);
    expect(() => assertTrustedSocket(path.join(fallbackDir, 'bd.sock'))).toThrow(
      `not using the daemon socket ${fallbackDir}/bd.sock: ${fallbackDir} has mode 0777, not 0700`,
    );
  });
});
