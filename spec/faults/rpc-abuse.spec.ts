import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, readDbIssues, useDaemons } from '../helpers/daemon-process';
import { runCliAsync, socketOf, WAIT, waitForJsonlIds } from '../helpers/real-daemon';
import { waitFor } from '../helpers/wait-for';
import { RawClient } from '../rpc/rpc-test-helpers';

/**
 * Scenario 8 of the fault suite: a real daemon, its real socket, a legitimate client in a
 * process of its own creating issues one after another, and in this process every kind of
 * abuse at once. The legitimate client must be answered within 500 ms every time, the CLI must
 * still work while the slots are full, and the daemon's memory and file descriptors must come
 * back down.
 */

jest.setTimeout(180_000);

/** A legitimate client: creates issues over one connection until its stdin ends. */
const LEGIT_CLIENT = `
  const { RpcClient } = require(process.argv[1]);
  (async () => {
    const client = await RpcClient.connect(process.argv[2], { timeoutMs: 20000, expectedDb: process.argv[3], actor: 'legit' });
    let stop = false;
    process.stdin.on('end', () => (stop = true));
    process.stdin.resume();
    process.stdout.write('READY\\n');
    const ids = [];
    const latencies = [];
    for (let i = 0; !stop; i++) {
      const started = performance.now();
      const issue = await client.request('create', { title: 'legit ' + i });
      latencies.push(performance.now() - started);
      ids.push(issue.id);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    client.close();
    process.stdout.write(JSON.stringify({ ids, latencies }) + '\\n');
  })().catch((err) => {
    process.stdout.write(JSON.stringify({ error: String(err && err.stack) }) + '\\n');
    process.exit(1);
  });
`;

interface LegitResult {
  ids: string[];
  latencies: number[];
  error?: string;
}

function startLegitClient(socketPath: string, dbPath: string): { child: ChildProcessWithoutNullStreams; out: () => string } {
  const child = spawn(process.execPath, ['-e', LEGIT_CLIENT, path.join(REPO_ROOT, 'dist/rpc/rpc-client.js'), socketPath, dbPath]);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  return { child, out: () => out };
}

const fdCount = (pid: number): number => fs.readdirSync(`/proc/${pid}/fd`).length;

/** The kernel's high-water mark of the process's resident memory, in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** Connects, retrying while the listen backlog is full (EAGAIN), as a determined peer would. */
async function openPersistently(socketPath: string): Promise<RawClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await RawClient.open(socketPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || attempt > 500) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Writes `line` on a new connection; resolves with the answer lines and whether it was closed. */
async function abuse(socketPath: string, line: Buffer | string, untilClosed = false): Promise<{ lines: unknown[]; closed: boolean }> {
  const client = await RawClient.open(socketPath);
  try {
    client.write(line);
    await waitFor(() => (client.lines.length >= 1 && !untilClosed) || client.closed, WAIT, 'an answer to the abuse');
    return { lines: client.lines.map((l) => JSON.parse(l) as unknown), closed: client.closed };
  } finally {
    client.destroy();
  }
}

describe('fault 8: RPC abuse', () => {
  const { workspace, start } = useDaemons();

  it('should serve a legitimate client within 500 ms through 1,000 trickling connections and hostile lines, with bounded memory and no fd growth', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--debounce-ms', '200'] });
    await d.waitUntilWatching();
    const socketPath = socketOf(ws);
    const fdsBefore = fdCount(d.pid);
    const rssAtStart = peakRssMb(d.pid);

    const legit = startLegitClient(socketPath, ws.dbPath);
    await waitFor(() => legit.out().includes('READY'), WAIT, 'the legitimate client to connect');

    // 1,000 connections that each send a byte of a request every 2 s and never finish it.
    const trickling: RawClient[] = [];
    for (let i = 0; i < 1000; i += 50) {
      trickling.push(...(await Promise.all(Array.from({ length: 50 }, () => openPersistently(socketPath)))));
    }
    for (const c of trickling) c.write('{');
    const trickle = setInterval(() => {
      for (const c of trickling) if (!c.closed) c.write(' ');
    }, 2000);
    const slowStarted = Date.now();
    try {
      const refused = (): RawClient[] => trickling.filter((c) => c.lines.some((l) => l.includes('too many connections')));
      await waitFor(() => refused().length >= 901, WAIT, "the 901 connections over the limit to be refused");
      const held = trickling.filter((c) => !refused().includes(c));
      // The legitimate client holds one of the 100 slots.
      expect(held.length).toBe(99);
      expect(refused().every((c) => c.lines.length === 1)).toBe(true);
      await waitFor(() => refused().every((c) => c.closed), WAIT, 'the refused connections to be closed');

      // Every slot is taken: a CLI command still succeeds (in direct mode, saying why).
      const cli = await runCliAsync(['create', 'Made while the slots are full', '--json'], { cwd: ws.root });
      expect({ code: cli.code, stderr: cli.stderr }).toMatchObject({ code: 0 });
      expect(cli.json).toMatchObject({ title: 'Made while the slots are full' });
      expect(cli.stderr).toMatch(/too many connections: this daemon serves at most 100 at once[\s\S]*Running without the daemon/);

      // The trickle never resets a deadline: each held connection is refused 10 s after its first byte.
      await waitFor(() => held.every((c) => c.closed), 30_000, 'the trickling connections to be dropped');
      expect(Date.now() - slowStarted).toBeLessThan(25_000);
      for (const c of held) {
        expect(c.lines.map((l) => JSON.parse(l) as unknown)).toEqual([
          {
            success: false,
            error: 'request timed out: a request line must be complete within 10000 ms of its first byte; the connection is closed',
          },
        ]);
      }
    } finally {
      clearInterval(trickle);
      for (const c of trickling) c.destroy();
    }

    // Hostile lines, all at once.
    const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
    const request = (value: object): string => `${JSON.stringify(value)}\n`;
    const [huge, deep, notUtf8, rawNul, escapedNul, bigBatch, longBatch, manyBadLabels, unknown, wrongTypes] = await Promise.all([
      abuse(socketPath, Buffer.concat([Buffer.alloc(50 * 1024 * 1024, 0x61), Buffer.from('\n')]), true),
      abuse(socketPath, `{"operation":"create","args":{"title":"x","labels":${nested(100_000)}}}\n`),
      abuse(socketPath, Buffer.from('{"operation":"create","args":{"title":"caf\xe9"}}\n', 'latin1')),
      abuse(socketPath, Buffer.from('{"operation":"create","args":{"title":"a\u0000b"}}\n', 'latin1')),
      abuse(socketPath, request({ operation: 'create', args: { title: 'nul \u0000 inside' } })),
      abuse(socketPath, request({ operation: 'batch', args: { operations: Array.from({ length: 100_000 }, (_, i) => ({ operation: 'create', args: { title: `b${i}` } })) } })),
      abuse(socketPath, request({ operation: 'batch', args: { operations: Array.from({ length: 1001 }, () => ({ operation: 'ping' })) } })),
      abuse(socketPath, request({ operation: 'create', args: { title: 'x', labels: Array.from({ length: 1_000_000 }, () => 1) } })),
      abuse(socketPath, request({ operation: 'frobnicate', args: {} })),
      abuse(socketPath, request({ operation: 'create', args: { title: 42, priority: 'high', labels: 'a,b' } })),
    ]);
    const error = (r: { lines: unknown[] }): string => (r.lines[0] as { success: boolean; error?: string }).error ?? '';
    expect(error(huge)).toBe(`request too large: a request line may hold at most ${10 * 1024 * 1024} bytes; the connection is closed`);
    expect(huge.closed).toBe(true);
    expect(error(deep)).toMatch(/^request too complex/);
    expect(error(notUtf8)).toMatch(/^invalid request: the line is not valid UTF-8/);
    expect(error(rawNul)).toMatch(/^invalid request: not JSON/);
    expect(escapedNul.lines[0]).toMatchObject({ success: true, data: { title: 'nul \u0000 inside' } });
    expect(error(bigBatch)).toMatch(/^request too complex: a request may hold at most 10000 values/);
    expect(error(longBatch)).toMatch(/^invalid args for batch: operations: expected at most 1000 operations \(split a longer batch\)/);
    expect(error(manyBadLabels)).toMatch(/^request too complex/);
    expect(error(unknown)).toMatch(/^unknown operation "frobnicate"/);
    expect(error(wrongTypes)).toMatch(/^invalid args for create: title: expected a non-empty title, got 42; priority: expected an integer 0-4, got "high"; labels: expected a list of labels, got "a,b"/);

    // The legitimate client was answered every time, within 500 ms.
    legit.child.stdin.end();
    await waitFor(() => legit.out().trim().split('\n').length >= 2, WAIT, "the legitimate client's results");
    const result = JSON.parse(legit.out().trim().split('\n').pop() as string) as LegitResult;
    expect(result.error).toBeUndefined();
    const sorted = [...result.latencies].sort((a, b) => a - b);
    const peak = peakRssMb(d.pid);
    console.log(
      `fault 8: ${result.ids.length} legitimate creates during the abuse: p50 ${percentile(sorted, 0.5).toFixed(1)} ms, ` +
        `p99 ${percentile(sorted, 0.99).toFixed(1)} ms, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(1)} ms; ` +
        `daemon peak RSS ${peak} MB (${rssAtStart} MB before the abuse); fds ${fdsBefore} before`,
    );
    expect(result.ids.length).toBeGreaterThan(100);
    expect(sorted[sorted.length - 1]).toBeLessThan(500);
    // Nothing acknowledged is lost: every legitimate issue reaches the DB and the JSONL.
    await waitForJsonlIds(ws.jsonlPath, [...result.ids, cliId(ws.dbPath)]);
    expect(readDbIssues(ws.dbPath).filter((i) => i.title.startsWith('legit ')).length).toBe(result.ids.length);
    // Memory stays bounded: a 50 MB line is never held whole (at most the 10 MB limit).
    expect(peak - rssAtStart).toBeLessThan(400);
    // Every connection's descriptor is given back.
    await waitFor(() => fdCount(d.pid) <= fdsBefore, WAIT, `the daemon's fds to return to ${fdsBefore}`);
    expect(fdCount(d.pid)).toBeLessThanOrEqual(fdsBefore);
    expect(d.exit).toBeUndefined();
  });
});

/** The id of the issue the CLI made in direct mode, read back from the DB. */
function cliId(dbPath: string): string {
  const issue = readDbIssues(dbPath).find((i) => i.title === 'Made while the slots are full');
  if (!issue) throw new Error('the CLI-made issue is not in the DB');
  return issue.id;
}
