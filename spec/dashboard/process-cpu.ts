import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * CPU accounting from Linux's /proc, to tell what a process cost from what it waited for: the
 * dashboard's measurements compare the daemon's own CPU per RPC create with and without tabs,
 * apart from the CPU the tabs' browser processes take on the same cores.
 */

// Linux reports utime/stime in clock ticks; USER_HZ is 100 on every Linux ABI node runs on.
const TICK_MS = 10;

/** The fields of /proc/PID/stat after the command name (which may itself hold spaces or parens). */
function statFields(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // gone since it was listed
  }
}

/** User + system CPU (ms) the process has used, all its threads; 0 once it has exited. */
export function cpuMs(pid: number): number {
  const f = statFields(pid);
  // After the name: state(0) ppid(1) … utime(11) stime(12).
  return f ? (Number(f[11]) + Number(f[12])) * TICK_MS : 0;
}

/** The parent's pid, or -1 once the process has exited. */
export function parentOf(pid: number): number {
  const f = statFields(pid);
  return f ? Number(f[1]) : -1;
}

/** Every live process below `root` (children, their children, …). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f) parent.set(Number(name), Number(f[1]));
  }
  const below = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!below.has(pid) && below.has(ppid)) {
        below.add(pid);
        grew = true;
      }
    }
  }
  below.delete(root);
  return [...below];
}

/** The command name of a process (`chromium`, `node`), or '' once it has exited. */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * What a Chromium process does, from its `--type=` flag: `renderer` (a tab's page),
 * `gpu-process` (with --disable-gpu it composites the tabs' frames in software), `utility`,
 * `zygote`, or `browser` (no flag: the main process). '' once it has exited.
 */
export function chromiumType(pid: number): string {
  try {
    // Split on spaces too: Chromium rewrites its children's argv (setproctitle) as one string.
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const flag = argv.find((a) => a.startsWith('--type='));
    if (flag) return flag.slice('--type='.length);
    return /crashpad/.test(argv[0]) ? 'crashpad' : 'browser';
  } catch {
    return '';
  }
}

/** CPU (ms) used so far by each kind of process among `pids` (see chromiumType). */
export function cpuMsByType(pids: number[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const pid of pids) {
    const type = chromiumType(pid);
    if (type) by[type] = (by[type] ?? 0) + cpuMs(pid);
  }
  return by;
}

/** The Chromium processes this process started (browser, zygotes, renderers, GPU, utilities). */
export function chromiumProcesses(root = process.pid): number[] {
  return descendants(root).filter((pid) => /chrom/i.test(commandOf(pid)));
}

/**
 * Lowers the scheduling priority of `pids` (nice 19 = only what others leave). Renderers the
 * browser starts later fork from its zygote and inherit the zygote's niceness.
 */
export function renice(pids: number[], niceness = 19): void {
  for (const pid of pids) {
    try {
      os.setPriority(pid, niceness);
    } catch {
      // exited since it was listed
    }
  }
}

/** Total CPU (ms) of a set of processes found again at each reading (processes come and go). */
export function groupCpuMs(pids: () => number[]): number {
  return pids().reduce((sum, pid) => sum + cpuMs(pid), 0);
}

/**
 * CPU (ms) used so far by each thread of `pids`, added up by `process type/thread name` (e.g.
 * `renderer/CrRendererMain`, `renderer/Compositor`, `gpu-process/VizCompositorTh`): which part
 * of a browser did the work, including threads a trace does not show (V8's GC helpers, IO).
 */
export function cpuMsByThread(pids: number[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const pid of pids) {
    const type = chromiumType(pid);
    let tids: string[];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited
    }
    for (const tid of tids) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const k = `${type}/${name}`;
        by[k] = (by[k] ?? 0) + (Number(f[11]) + Number(f[12])) * TICK_MS;
      } catch {
        // the thread ended since it was listed
      }
    }
  }
  return by;
}
