import * as fs from 'node:fs';
import * as path from 'node:path';
import { SocketDirError, errnoCode } from './rpc-errors';

/**
 * Longest socket path we bind. `sun_path` holds 104 bytes on macOS and 108 on Linux, including
 * the terminating NUL; 103 fits both.
 */
export const MAX_SOCKET_PATH_BYTES = 103;

const FALLBACK_ROOT = '/tmp';
const FALLBACK_DIR = /^\/tmp\/beads-[0-9a-f]{8}$/;

/**
 * Where the daemon for `workspaceDir` listens: `$BD_SOCKET` if set, else `<workspace>/.beads/bd.sock`, or, when that path
 * is too long for a Unix socket, `/tmp/beads-<first 8 hex of sha256(workspace)>/bd.sock` (bd's own rule, so a bd client finds the daemon).
 * The workspace path is resolved through symlinks first, so a client in a symlinked checkout
 * and the daemon compute the same path. `/tmp` is literal (not $TMPDIR) for the same reason.
 */
export function socketPathFor(workspaceDir: string, env: NodeJS.ProcessEnv = process.env): string {
  // bd's override, honoured by bd's CLI and daemon alike.
  if (env.BD_SOCKET) return path.resolve(env.BD_SOCKET);
  const workspace = canonicalDir(workspaceDir);
  const preferred = path.join(workspace, '.beads', 'bd.sock');
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH_BYTES) return preferred;
  // Loaded only for long paths: every CLI command computes the socket path (see content-hash.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const hash = createHash('sha256').update(workspace).digest('hex').slice(0, 8);
  return path.join(FALLBACK_ROOT, `beads-${hash}`, 'bd.sock');
}

function canonicalDir(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/**
 * Makes sure the socket's directory exists. The `/tmp/beads-*` fallback lives in a world-writable
 * place, so it must be a real directory owned by us with mode 0700; anything else is refused
 * rather than trusted (another user could have planted it).
 */
export function prepareSocketDir(socketPath: string): void {
  const dir = path.dirname(socketPath);
  if (!FALLBACK_DIR.test(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    return;
  }
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory()) {
    throw new SocketDirError(`${dir} is not a directory: remove it so bd-rx can create its socket`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new SocketDirError(
      `${dir} belongs to uid ${stat.uid}, not to you (uid ${uid}): remove it ` +
        '(it may have been planted by another user) and start the daemon again',
    );
  }
  if ((stat.mode & 0o777) !== 0o700) fs.chmodSync(dir, 0o700);
}
