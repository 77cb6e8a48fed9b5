import * as fs from 'node:fs';
import { Observable } from 'rxjs';

/**
 * fsyncs `file` on libuv's thread pool, completing when its bytes are on disk; errors with the
 * open or fsync failure. The main thread is free meanwhile: at 100k issues the fsync of the
 * 85 MB written ahead takes ~150-250 ms, and up to ~600 ms when the disk is busy, during
 * which the daemon goes on answering. Unsubscribing does not stop an fsync already asked of
 * the kernel; its descriptor is still closed when it returns.
 */
export function fileFsync$(file: string): Observable<void> {
  return new Observable<void>((subscriber) => {
    fs.open(file, 'r', (openErr, fd) => {
      if (openErr) return subscriber.error(openErr);
      fs.fsync(fd, (syncErr) => {
        fs.close(fd, () => {
          if (syncErr) return subscriber.error(syncErr);
          subscriber.next();
          subscriber.complete();
        });
      });
    });
  });
}
