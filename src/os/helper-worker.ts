import { parentPort } from 'node:worker_threads';
import type { RoleStart } from './helper-thread';

/**
 * Entry point of the daemon's shared helper thread (see `HelperThread`): each message starts a
 * role on the port it brings. A role's code is loaded when first asked for: a daemon in poll
 * mode never loads the watcher's (chokidar) here.
 */
parentPort?.on('message', (start: RoleStart) => {
  if (start.role === 'watcher') {
    void import('../sources/watcher-role').then((m) => m.serveWatcher(start.port, start.data as Parameters<typeof m.serveWatcher>[1]));
  } else {
    void import('../store/checkpoint-role').then((m) => m.serveCheckpoints(start.port, start.data as string));
  }
});
