import * as path from 'node:path';

let counter = 0;

/**
 * A name beside `target` for one of this process's temp files: `.NAME.tmp-[KIND]PID-N`, a
 * dotfile (the watcher and .beads/.gitignore skip it) that `sweepStaleTemps` recognises once
 * its process is gone. `kind` is '' (a file being written), 'old-' (a replaced file kept until
 * its blocks are freed) or 'held-' (the file taken off the path while an export swaps it).
 */
export function tempName(target: string, kind: '' | 'old-' | 'held-'): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${kind}${process.pid}-${++counter}`);
}
