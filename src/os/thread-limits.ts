import type { ResourceLimits } from 'node:worker_threads';

/**
 * Heap limits for the daemon's helper threads (the watcher, the WAL checkpointer): each is a V8
 * isolate of its own, and V8 lets a young generation grow to ~48 MB (16 MB semi-spaces) once an
 * isolate allocates steadily, as the watcher does for every raw event of `.beads/` (the WAL
 * changes on each commit). Memory it keeps committed afterwards. These threads hold a few small
 * objects at a time: a 4 MB young generation (~1 MB semi-spaces) is plenty, and bounds what
 * each adds to the daemon's RSS. The old generation is left at V8's default, so no load can
 * make a thread run out of memory because of this.
 */
export const HELPER_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 4 };
