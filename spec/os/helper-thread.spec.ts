import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Subscription } from 'rxjs';
import { HelperThread } from '../../src/os/helper-thread';
import type { WatchEvent } from '../../src/pipeline/daemon-sources';
import { watcherThread$ } from '../../src/sources/watcher-thread';
import { WalCheckpointer } from '../../src/store/wal-checkpointer';
import { TempWorkspace } from '../helpers/temp-workspace';
import { waitFor } from '../helpers/wait-for';

/** The compiled entry (`npm test` builds before jest runs). */
const HELPER = path.resolve(__dirname, '../../dist/os/helper-worker.js');
const WAIT_MS = 10_000;

describe('HelperThread (the watcher and the checkpointer on one real thread)', () => {
  let ws: TempWorkspace;
  let sub: Subscription | undefined;
  let checkpointer: WalCheckpointer | undefined;
  beforeEach(() => {
    ws = new TempWorkspace();
    ws.export({ force: true });
    ws.store.checkpoint();
    ws.store.deferCheckpoints();
  });
  afterEach(async () => {
    sub?.unsubscribe();
    await checkpointer?.close();
    sub = checkpointer = undefined;
    ws.dispose();
  });

  const both = (thread: HelperThread) => {
    const events: WatchEvent[] = [];
    let inline = 0;
    sub = watcherThread$({ beadsDir: ws.beadsDir, jsonlPath: ws.jsonlPath, git: null, thread }).subscribe((e) => events.push(e));
    checkpointer = new WalCheckpointer(ws.dbPath, { thread, inline: () => (inline++, ws.store.checkpoint()) });
    return { events, inlineRuns: () => inline };
  };

  it('should serve both roles on one thread, and end the thread when neither is left', async () => {
    const thread = new HelperThread(HELPER);
    const { events, inlineRuns } = both(thread);
    expect(thread.roles).toBe(2);
    await waitFor(() => events.some((e) => e.kind === 'ready'), WAIT_MS, 'the watcher ready');

    for (let i = 0; i < 300; i++) ws.store.create({ title: `Issue ${i}` }, 'tester');
    checkpointer!.request();
    await checkpointer!.idle();
    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-zz"}\n');
    await waitFor(() => events.some((e) => e.kind === 'change'), WAIT_MS, 'the append seen');

    expect(checkpointer!.threaded).toBe(true);
    expect(inlineRuns()).toBe(0);
    const last = checkpointer!.last as { walPages: number; copied: number };
    expect(last.walPages).toBeGreaterThan(300);
    expect(last.copied).toBe(last.walPages);
    expect(events.filter((e) => e.kind === 'error')).toEqual([]);

    sub!.unsubscribe();
    expect(thread.roles).toBe(1);
    await checkpointer!.close();
    expect(thread.roles).toBe(0);
    // The thread's connection closed first: the store, closing last, removes the WAL.
    ws.store.dispose();
    expect(fs.existsSync(`${ws.dbPath}-wal`)).toBe(false);
  });

  it('should give each role the failure of a thread that dies: the watcher an error value, the checkpointer its inline fallback', async () => {
    const broken = path.join(ws.beadsDir, 'throws-at-start.js');
    fs.writeFileSync(broken, "throw new Error('helper thread broke');\n");
    const thread = new HelperThread(broken);
    const { events, inlineRuns } = both(thread);

    await waitFor(() => events.some((e) => e.kind === 'error'), WAIT_MS, 'the watcher told');
    await waitFor(() => !checkpointer!.threaded, WAIT_MS, 'the checkpointer told');
    checkpointer!.request();

    expect(events[0]).toMatchObject({ kind: 'error', code: 'EWORKER', message: expect.stringContaining('helper thread broke') });
    // The thread's `exit` comes after its `error`: then no role is left open on it.
    await waitFor(() => thread.roles === 0, WAIT_MS, 'the roles closed');
    expect(inlineRuns()).toBe(1);
    expect(thread.roles).toBe(0);
  });

  it('should report a missing script as a watcher error naming the fix, and checkpoint inline', () => {
    const thread = new HelperThread(path.join(ws.beadsDir, 'no-such-helper.js'));
    const { events, inlineRuns } = both(thread);
    checkpointer!.request();

    expect(events).toEqual([{ kind: 'error', code: 'EWORKER', message: expect.stringContaining('npm run build') }]);
    expect(checkpointer!.threaded).toBe(false);
    expect(inlineRuns()).toBe(1);
  });
});
