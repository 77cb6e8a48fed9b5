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
 * place, so it is created 0700, and one that already exists must be a real directory (not a
 * symlink), owned by us, with mode 0700; anything else is refused rather than trusted or
 * repaired (another user could have planted it, or put a listener in it while it was open).
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
  const problem = fallbackDirProblem(dir);
  if (problem !== undefined) throw new SocketDirError(problem);
}

/**
 * Throws `SocketDirError` unless whatever answers on `socketPath` can only be a daemon of this
 * user: the socket, when there is one, is a socket (not a symlink) owned by us, and the `/tmp`
 * fallback directory passes the checks of {@link prepareSocketDir}. A client calls this before
 * it connects, so it never sends a title or description to another user's listener.
 */
export function assertTrustedSocket(socketPath: string): void {
  const dir = path.dirname(socketPath);
  if (FALLBACK_DIR.test(dir)) {
    let problem: string | undefined;
    try {
      problem = fallbackDirProblem(dir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return; // no directory, so no daemon
      throw err;
    }
    if (problem !== undefined) throw new SocketDirError(`not using the daemon socket ${socketPath}: ${problem}`);
  }
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  const uid = process.geteuid?.();
  const kind = stat.isSymbolicLink() ? 'a symlink' : stat.isSocket() ? undefined : 'not a socket';
  const owner = uid !== undefined && stat.uid !== uid ? `owned by uid ${stat.uid}, not by you (uid ${uid})` : undefined;
  const problem = kind ?? owner;
  if (problem !== undefined) {
    throw new SocketDirError(
      `not using the daemon socket ${socketPath}: it is ${problem}, so another user may be listening there; ` +
        'remove it if it is yours to remove, or ask its owner',
    );
  }
}

/** Why the fallback directory `dir` (which exists) cannot hold our socket, or undefined. */
function fallbackDirProblem(dir: string): string | undefined {
  const stat = fs.lstatSync(dir);
  if (stat.isSymbolicLink()) {
    return `${dir} is a symlink, not a directory: remove it (\`rm ${dir}\`) so bd-rx can create its socket directory`;
  }
  if (!stat.isDirectory()) {
    return `${dir} is not a directory: remove it (\`rm ${dir}\`) so bd-rx can create its socket directory`;
  }
  const uid = process.geteuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    return (
      `${dir} belongs to uid ${stat.uid}, not to you (uid ${uid}); it may have been planted by another ` +
      'user: have it removed (root can), or run commands with --no-daemon meanwhile'
    );
  }
  const mode = stat.mode & 0o777;
  if (mode !== 0o700) {
    return (
      `${dir} has mode ${mode.toString(8).padStart(4, '0')}, not 0700, so another user may have put a ` +
      `listener in it: remove it (\`rm -r ${dir}\`) and start the daemon again`
    );
  }
  return undefined;
}
