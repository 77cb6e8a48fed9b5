import * as fs from 'node:fs';
import { errnoCode } from '../os/errno-code';

/** Cheap identity of the JSONL on disk: if it matches what we recorded, the bytes are ours. */
export function statKey(file: string): string | null {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

/** {@link statKey} of the file an open descriptor reads: the identity of exactly the bytes read through it. */
export function fdStatKey(fd: number): string {
  const st = fs.fstatSync(fd);
  return `${st.size}:${st.mtimeMs}:${st.ino}`;
}
