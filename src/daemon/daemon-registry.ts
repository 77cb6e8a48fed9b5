import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isProcessAlive } from '../os/is-process-alive';
import { withFlock } from '../os/with-flock';

/** One running daemon in `~/.beads/registry.json`: bd's `RegistryEntry`, field for field. */
export interface RegistryEntry {
  workspace_path: string;
  socket_path: string;
  database_path: string;
  pid: number;
  version: string;
  /** RFC 3339 with fractions, as Go writes a `time.Time`. */
  started_at: string;
}

export interface RegistryFiles {
  dir: string;
  file: string;
  lock: string;
}

/** bd's global registry: `~/.beads/registry.json`, guarded by a flock on `~/.beads/registry.lock`. */
export function registryFiles(home: string = os.homedir()): RegistryFiles {
  const dir = path.join(home, '.beads');
  return { dir, file: path.join(dir, 'registry.json'), lock: path.join(dir, 'registry.lock') };
}

const isEntry = (v: unknown): v is RegistryEntry => {
  const e = v as Partial<RegistryEntry> | null;
  return (
    typeof e === 'object' && e !== null && typeof e.workspace_path === 'string' && typeof e.socket_path === 'string' &&
    typeof e.pid === 'number'
  );
};

/** Missing, blank or corrupt reads as empty, as in bd: the registry only helps discovery. */
function readEntries(file: string): RegistryEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  if (text.replace(/[\s\0]/g, '') === '') return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
  } catch {
    return [];
  }
}

/** bd's writer: an array (never null), 2-space indent, temp file + rename. */
function writeEntries(files: RegistryFiles, entries: RegistryEntry[]): void {
  const tmp = { path: path.join(files.dir, `registry-${randomBytes(6).toString('hex')}.json.tmp`), fd: -1 };
  tmp.fd = fs.openSync(tmp.path, 'wx', 0o644);
  try {
    fs.writeSync(tmp.fd, JSON.stringify(entries, null, 2));
    fs.fsyncSync(tmp.fd);
    fs.closeSync(tmp.fd);
    fs.renameSync(tmp.path, files.file);
  } catch (err) {
    try {
      fs.closeSync(tmp.fd);
    } catch {
      // already closed
    }
    fs.rmSync(tmp.path, { force: true });
    throw err;
  }
}

const others = (entries: RegistryEntry[], workspacePath: string, pid: number) =>
  entries.filter((e) => e.workspace_path !== workspacePath && e.pid !== pid);

function locked<T>(files: RegistryFiles, fn: () => T): Promise<T> {
  fs.mkdirSync(files.dir, { recursive: true, mode: 0o750 });
  return withFlock(files.lock, fn).then((r) => r.value);
}

/**
 * Adds this daemon, dropping any entry for the same workspace or pid (a predecessor's), and, as
 * bd's reader does, those of dead pids: daemons killed outright never unregister.
 */
export function registerDaemon(entry: RegistryEntry, home?: string): Promise<void> {
  const files = registryFiles(home);
  return locked(files, () =>
    writeEntries(files, [...others(readEntries(files.file), entry.workspace_path, entry.pid).filter((e) => isProcessAlive(e.pid)), entry]),
  );
}

/** Removes the entries of this workspace or pid. */
export function unregisterDaemon(workspacePath: string, pid: number, home?: string): Promise<void> {
  const files = registryFiles(home);
  return locked(files, () => writeEntries(files, others(readEntries(files.file), workspacePath, pid)));
}

/** The live daemons; entries of dead pids are dropped from the file, as bd's reader does. */
export function listRegistry(home?: string): Promise<RegistryEntry[]> {
  const files = registryFiles(home);
  return locked(files, () => {
    const entries = readEntries(files.file);
    const alive = entries.filter((e) => isProcessAlive(e.pid));
    if (alive.length !== entries.length) writeEntries(files, alive);
    return alive;
  });
}
