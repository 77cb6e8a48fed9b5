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
