import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoggedEvent } from '../../src/events/daemon-event';
import { readDaemonLock } from '../../src/daemon/daemon-lock';
import { MAX_SOCKET_PATH_BYTES } from '../../src/rpc/socket-path';
import { CLI_BIN, cleanEnv, issueLine, readDbIssues, useDaemons, type Workspace } from '../helpers/daemon-process';
import {
  cliOk,
  daemonFiles,
  jsonlIds,
  NO_FILES,
  running,
  runCliAsync,
  socketOf,
  useBackgroundDaemons,
  WAIT,
  waitForJsonlIds,
  withClient,
} from '../helpers/real-daemon';
import { waitFor } from '../helpers/wait-for';
import { oneShot } from '../rpc/rpc-test-helpers';

/**
 * The daemon's life as users see it: start, stop, crash and restart, one per workspace, where its
 * socket lives, and the CLI commands that report on it (`daemon status`, `daemon-event`,
 * `events`). Real processes, real files, real signals; every wait is on something observable.
 */

jest.setTimeout(120_000);

const isImport = (e: LoggedEvent): boolean => e.type.startsWith('import/');
const isEffect = (e: LoggedEvent): boolean => e.type.startsWith('import/') || e.type.startsWith('export/');

describe('bd-rx daemon lifecycle (real processes)', () => {
  const { workspace, start } = useDaemons();
  const { track } = useBackgroundDaemons();

  /** `bd-rx daemon start` in the workspace; returns the pid it reports, tracked for cleanup. */
  async function startInBackground(ws: Workspace, args: string[] = ['--debounce-ms', '100']): Promise<number> {
    track(ws);
    const r = await cliOk(['daemon', 'start', ...args], { cwd: ws.root });
    const m = /Daemon started \(pid (\d+)\)/.exec(r.stdout);
    if (!m) throw new Error(`unexpected output of daemon start: ${r.stdout}`);
    track(ws);
    return Number(m[1]);
  }

  describe('after kill -9', () => {
    it('should restart in the foreground over the stale lock, pid and socket files, with the data intact', async () => {
      const ws = workspace();
      // A long debounce: the writes are in SQLite but not yet in the JSONL when the daemon dies.
      const first = start({ cwd: ws.root, args: ['--debounce-ms', '10000', '--max-wait-ms', '20000'] });
      await first.waitUntilWatching();
      const created = await withClient(ws, async (c) => {
        const out: string[] = [];
        for (let i = 0; i < 3; i++) out.push(((await c.request('create', { title: `Survivor ${i}` })) as { id: string }).id);
        return out;
      });
      expect(jsonlIds(ws.jsonlPath)).toEqual([]);

      first.child.kill('SIGKILL');
      expect(await first.waitForExit()).toEqual({ code: null, signal: 'SIGKILL' });
      // Nothing cleaned up after it.
      expect(daemonFiles(ws)).toEqual({ socket: true, lock: true, pid: true });
      expect(readDaemonLock(ws.beadsDir)?.pid).toBe(first.pid);

      const second = start({ cwd: ws.root, args: ['--debounce-ms', '100'] });
      await second.waitUntilWatching();
      expect(second.all('daemon/started')).toEqual([expect.objectContaining({ pid: second.pid })]);
      expect(readDaemonLock(ws.beadsDir)?.pid).toBe(second.pid);
      expect(fs.readFileSync(path.join(ws.beadsDir, 'daemon.pid'), 'utf8').trim()).toBe(String(second.pid));
      // The start-up export writes what the dead daemon had not exported yet.
      expect(second.all(isEffect)[0]).toMatchObject({ type: 'export/done', issues: 3 });
      expect(jsonlIds(ws.jsonlPath).sort()).toEqual([...created].sort());
      await withClient(ws, async (c) => {
        expect(((await c.request('list')) as Array<{ id: string }>).map((i) => i.id).sort()).toEqual([...created].sort());
      });
      expect(await second.stop()).toEqual({ code: 0, signal: null });
      expect(daemonFiles(ws)).toEqual(NO_FILES);
    });

    it('should restart with `daemon start` after a background daemon was killed with SIGKILL', async () => {
      const ws = workspace();
      const pid = await startInBackground(ws);
      const created = await withClient(ws, async (c) => ((await c.request('create', { title: 'Before the crash' })) as { id: string }).id);
      await waitForJsonlIds(ws.jsonlPath, [created]);

      process.kill(pid, 'SIGKILL');
      await waitFor(() => !running(pid), WAIT, `pid ${pid} to die`);
      expect(daemonFiles(ws)).toEqual({ socket: true, lock: true, pid: true });

      const again = await startInBackground(ws);
      expect(again).not.toBe(pid);
      expect(running(again)).toBe(true);
      expect(readDaemonLock(ws.beadsDir)?.pid).toBe(again);
      const listed = await cliOk(['list', '--json'], { cwd: ws.root });
      expect(listed.json.map((i: { id: string }) => i.id)).toEqual([created]);
      // That list was served by the new daemon.
      await withClient(ws, async (c) => {
        expect(((await c.request('status')) as { pid: number }).pid).toBe(again);
      });
      await cliOk(['daemon', 'stop'], { cwd: ws.root });
      expect(running(again)).toBe(false);
    });
  });

  describe('one daemon per workspace', () => {
    it('should make a second `bd-rx daemon` exit 1 with "already running (pid N)", and leave the first serving', async () => {
      const ws = workspace();
      const first = start({ cwd: ws.root, args: ['--debounce-ms', '100'] });
      await first.waitUntilWatching();

      const second = start({ cwd: ws.root, args: ['--debounce-ms', '100'] });
      const exit = await second.waitForExit(WAIT);
      expect(exit).toEqual({ code: 1, signal: null });
      expect(second.stderr).toContain(`already running (pid ${first.pid})`);
      expect(second.stderr).not.toMatch(/^\s+at /m);

      // `daemon start` asked for a serving daemon and there is one: it names it and succeeds.
      const viaStart = await runCliAsync(['daemon', 'start'], { cwd: ws.root });
      expect(viaStart).toMatchObject({ code: 0, stdout: `already running (pid ${first.pid})\n`, stderr: '' });

      expect(readDaemonLock(ws.beadsDir)?.pid).toBe(first.pid);
      expect(await oneShot(socketOf(ws), { operation: 'ping' })).toMatchObject({ success: true });
      expect(first.exit).toBeUndefined();
    });
  });

  describe('daemon stop', () => {
    it('should return only once the process has exited and the socket, pid and lock files are gone', async () => {
      const ws = workspace();
      const pid = await startInBackground(ws, ['--debounce-ms', '5000', '--max-wait-ms', '10000']);
      expect(running(pid)).toBe(true);
      expect(daemonFiles(ws)).toEqual({ socket: true, lock: true, pid: true });
      // A write still waiting out its debounce when the stop comes.
      const id = await withClient(ws, async (c) => ((await c.request('create', { title: 'Flushed at stop' })) as { id: string }).id);

      const r = await cliOk(['daemon', 'stop'], { cwd: ws.root });

      // Checked at once, no waiting.
      expect(running(pid)).toBe(false);
      expect(daemonFiles(ws)).toEqual(NO_FILES);
      expect(r.stdout).toBe(`✓ Daemon stopped (pid ${pid})\n`);
      expect(jsonlIds(ws.jsonlPath)).toEqual([id]);
      const log = fs.readFileSync(path.join(ws.beadsDir, 'daemon.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LoggedEvent);
      expect(log.slice(-3).map((e) => e.type)).toEqual(['daemon/stopping', 'export/done', 'daemon/stopped']);

      const again = await cliOk(['daemon', 'stop', '--json'], { cwd: ws.root });
      expect(again.json).toEqual({ stopped: false, pid: null });
    });

    it('should stop a foreground daemon the same way', async () => {
      const ws = workspace();
      const d = start({ cwd: ws.root, args: ['--debounce-ms', '100'] });
      await d.waitUntilWatching();
      const r = await cliOk(['daemon', 'stop', '--json'], { cwd: ws.root });
      expect(r.json).toEqual({ stopped: true, pid: d.pid });
      expect(running(d.pid)).toBe(false);
      expect(daemonFiles(ws)).toEqual(NO_FILES);
      expect(await d.waitForExit()).toEqual({ code: 0, signal: null });
    });
  });

  describe('the socket', () => {
    const dirs: string[] = [];
    afterEach(() => {
      for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    });

    it('should use /tmp/beads-<8hex>/bd.sock for a workspace whose socket path would pass 103 bytes, and the CLI still reaches it', async () => {
      const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-long-')));
      dirs.push(base);
      const root = path.join(base, 'a-project-directory-with-a-rather-long-name', 'and-a-checkout-nested-inside-it', 'repo');
      fs.mkdirSync(root, { recursive: true });
      await cliOk(['init', '--prefix', 't'], { cwd: root });
      const ws: Workspace = {
        root,
        beadsDir: path.join(root, '.beads'),
        jsonlPath: path.join(root, '.beads', 'issues.jsonl'),
        dbPath: path.join(root, '.beads', 'beads.db'),
      };
      expect(Buffer.byteLength(path.join(root, '.beads', 'bd.sock'))).toBeGreaterThan(MAX_SOCKET_PATH_BYTES);
      track(ws);

      const d = start({ cwd: root, args: ['--debounce-ms', '100'] });
      await d.waitUntilWatching();
      const socket = socketOf(ws);
      expect(socket).toMatch(/^\/tmp\/beads-[0-9a-f]{8}\/bd\.sock$/);
      expect(fs.lstatSync(socket).isSocket()).toBe(true);
      expect(fs.lstatSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
      expect(fs.existsSync(path.join(root, '.beads', 'bd.sock'))).toBe(false);

      const created = await cliOk(['create', 'Through the short socket', '--json'], { cwd: root });
      // It went through the daemon: its write is in the daemon's log.
      await d.waitForEvent((e) => e.type === 'store/mutated' && e.id === created.json.id, WAIT);
      const status = await cliOk(['daemon', 'status', '--json'], { cwd: root });
      expect(status.json).toMatchObject({ running: true, pid: d.pid, socket_path: socket, workspace_path: root });

      await cliOk(['daemon', 'stop'], { cwd: root });
      expect(fs.existsSync(socket)).toBe(false);
      expect(await d.waitForExit()).toEqual({ code: 0, signal: null });
    });

    it('should create the socket with mode 0600, even under umask 000', async () => {
      const ws = workspace();
      const d = start({ cwd: ws.root, args: ['--debounce-ms', '100'], wrap: ['sh', '-c', 'umask 000 && exec "$@"', 'sh'] });
      await d.waitUntilWatching();
      const st = fs.lstatSync(socketOf(ws));
      expect(st.isSocket()).toBe(true);
      expect(st.mode & 0o777).toBe(0o600);
      expect(st.uid).toBe(process.getuid?.());
      // The umask did reach the daemon.
      expect(fs.readFileSync(`/proc/${d.pid}/status`, 'utf8')).toMatch(/^Umask:\s+0000$/m);
    });
  });

  describe('daemon status', () => {
    it('should print running, PID, mode, uptime, last sync, event statistics, watcher and latency with --verbose, and the same data with --json', async () => {
      const ws = workspace();
      const d = start({ cwd: ws.root, args: ['--debounce-ms', '100'] });
      await d.waitUntilWatching();
      let from = d.mark();
      const created = await cliOk(['create', 'Counted', '--json'], { cwd: ws.root });
      await waitForJsonlIds(ws.jsonlPath, [created.json.id]);
      // The watcher reports our own export's rename; chokidar drops a second change of the same
      // path within 50 ms, so the outside append waits until that change has been handled.
      await d.waitForEvent((e) => e.type === 'import/skipped' && e.reason === 'own-write', WAIT, from);
      from = d.mark();
      fs.appendFileSync(ws.jsonlPath, `${issueLine('t-outside')}\n`);
      await d.waitForEvent('import/done', WAIT, from);
      from = d.mark();
      await d.waitForQuiet(isEffect, 600, WAIT);

      const text = await cliOk(['daemon', 'status', '--verbose'], { cwd: ws.root });
      const json = (await cliOk(['daemon', 'status', '--json'], { cwd: ws.root })).json;
      const lines = text.stdout.split('\n');

      expect(json).toMatchObject({
        running: true,
        pid: d.pid,
        daemon_mode: 'events',
        mutations: 1,
        exports: 1,
        exports_batched_from: 1,
        errors: 0,
        watcher_status: 'active',
        watching: [ws.jsonlPath],
        socket_path: socketOf(ws),
      });
      expect(json.file_changes).toBeGreaterThanOrEqual(1);
      expect(json.imports).toBeGreaterThanOrEqual(1);
      expect(json.events_received).toBe(d.events.length);
      expect(typeof json.uptime_seconds).toBe('number');
      expect(Date.parse(json.last_sync_at)).toBeGreaterThan(0);
      expect(json.latency_ms).toEqual({ samples: 1, p50: expect.any(Number), p99: expect.any(Number) });

      expect(lines).toEqual(
        expect.arrayContaining([
          'Daemon running: yes',
          `PID: ${d.pid}`,
          'Mode: event-driven',
          expect.stringMatching(/^Uptime: \d+s$/),
          expect.stringMatching(/^Last sync: \d+s ago$/),
          'Event statistics:',
          `  File changes: ${json.file_changes}`,
          '  Mutations: 1',
          '  Exports: 1 (batched from 1 mutations)',
          `  Imports: ${json.imports} (batched from ${json.imports_batched_from} file changes)`,
          '  Errors: 0',
          'Watcher status: active',
          `  Watching: ${ws.jsonlPath}`,
          `  Events received: ${json.events_received}`,
          `Mutation → export latency: p50 ${json.latency_ms.p50} ms, p99 ${json.latency_ms.p99} ms (1 samples)`,
          `Socket: ${socketOf(ws)}`,
        ]),
      );
      // Without --verbose: the summary only.
      const short = await cliOk(['daemon', 'status'], { cwd: ws.root });
      expect(short.stdout).toMatch(/^Daemon running: yes\nPID: \d+\nMode: event-driven\nUptime: .+\nLast sync: .+\n$/);
    });

    it('should say the daemon is not running when none is', async () => {
      const ws = workspace();
      expect((await cliOk(['daemon', 'status'], { cwd: ws.root })).stdout).toBe('Daemon running: no\n');
      expect((await cliOk(['daemon', 'status', '--json'], { cwd: ws.root })).json).toEqual({ running: false, workspace_path: ws.root });
    });
  });

  describe('daemon-event (git hooks)', () => {
    it('should exit 0 silently when no daemon runs, in a workspace or outside any', async () => {
      const ws = workspace();
      for (const event of ['import-needed', 'export-needed']) {
        expect(await runCliAsync(['daemon-event', event], { cwd: ws.root })).toMatchObject({ code: 0, stdout: '', stderr: '' });
      }
      const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-nows-')));
      try {
        expect(await runCliAsync(['daemon-event', 'import-needed'], { cwd: outside })).toMatchObject({ code: 0, stdout: '', stderr: '' });
      } finally {
        fs.rmSync(outside, { recursive: true, force: true });
      }
    });

    it('should make a running daemon import (here its only way to see the change: poll mode, hourly)', async () => {
      const ws = workspace();
      const d = start({ cwd: ws.root, args: ['--debounce-ms', '100', '--mode', 'poll', '--poll-interval', '3600s'] });
      await d.waitForEvent(isImport, WAIT);
      const from = d.mark();
      fs.appendFileSync(ws.jsonlPath, `${issueLine('t-hook', { title: 'After git pull' })}\n`);

      const r = await runCliAsync(['daemon-event', 'import-needed'], { cwd: ws.root });
      expect(r).toMatchObject({ code: 0, stderr: '' });

      expect(await d.waitForEvent('sync/requested', WAIT, from)).toMatchObject({ kind: 'import', reason: 'rpc' });
      expect(await d.waitForEvent(isImport, WAIT, from)).toMatchObject({ type: 'import/done', created: 1 });
      expect(readDbIssues(ws.dbPath).map((i) => [i.id, i.title])).toEqual([['t-hook', 'After git pull']]);

      const exported = d.mark();
      expect((await runCliAsync(['daemon-event', 'export-needed', '--json'], { cwd: ws.root })).json).toMatchObject({
        type: 'export/skipped',
      });
      expect(await d.waitForEvent('sync/requested', WAIT, exported)).toMatchObject({ kind: 'export', reason: 'rpc' });
    });
  });

  describe('events', () => {
    it('should print the daemon events as NDJSON as they happen with --format json, until interrupted', async () => {
      const ws = workspace();
      const d = start({ cwd: ws.root, args: ['--debounce-ms', '100'] });
      await d.waitUntilWatching();

      const child = spawn(process.execPath, [CLI_BIN, 'events', '--format', 'json'], {
        cwd: ws.root,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines: string[] = [];
      let partial = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        const parts = (partial + s).split('\n');
        partial = parts.pop() ?? '';
        lines.push(...parts);
      });
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      try {
        await withClient(ws, async (c) => {
          // No acknowledgement says the stream is live: write until one write shows up.
          let n = 0;
          await waitFor(
            () => {
              if (lines.some((l) => l.includes('"store/mutated"'))) return true;
              void c.request('create', { title: `Probe ${n++}` });
              return false;
            },
            WAIT,
            `\`bd-rx events\` to print a write (stderr: ${stderr})`,
            300,
          );
          const from = lines.length;
          const { id } = (await c.request('create', { title: 'Watched live' })) as { id: string };
          const line = await waitFor(() => lines.slice(from).find((l) => l.includes(`"id":"${id}"`)), WAIT, 'the line for the write');
          expect(JSON.parse(line)).toMatchObject({ type: 'store/mutated', op: 'create', id });
          // Byte for byte the daemon's own log line.
          await waitFor(() => d.lines.includes(line), WAIT, 'the same line in the daemon log');
          await waitFor(() => lines.slice(from).some((l) => l.includes('"export/done"')), WAIT, 'the export that follows');
        });
        // The log's lines of one turn go out together, at most a turn after the event: the last
        // one streamed may reach the daemon's stdout a moment after the stream.
        await waitFor(() => lines.every((l) => d.lines.includes(l)), WAIT, 'every streamed line in the daemon log');
        for (const l of lines) expect(d.lines).toContain(l);
      } finally {
        child.kill('SIGINT');
      }
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
    });

    it('should fail with a hint when no daemon runs', async () => {
      const ws = workspace();
      const r = await runCliAsync(['events', '--format', 'json'], { cwd: ws.root });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no daemon is running for .*bd-rx daemon start/);
    });
  });
});
