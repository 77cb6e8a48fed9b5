import * as fs from 'node:fs';
import { firstValueFrom, lastValueFrom, Subject, VirtualTimeScheduler } from 'rxjs';
import { runDaemon } from '../../src/daemon/run-daemon';
import type { ResolvedSettings } from '../../src/daemon/daemon-settings';
import { exportEffect } from '../../src/effects/export-effect';
import { importEffect } from '../../src/effects/import-effect';
import type { DaemonEvent } from '../../src/events/daemon-event';
import { formatEventText, stampEvent } from '../../src/events/format-event';
import { runEffect } from '../../src/pipeline/run-effect';
import type { DaemonSignal, SyncTrigger } from '../../src/pipeline/daemon-sources';
import { BeadsStore } from '../../src/store/beads-store';
import { renderJsonl } from '../../src/sync/export-jsonl';
import { workspacePaths } from '../../src/workspace/workspace-paths';
import { type TempWorkspace, useTempWorkspaces } from '../helpers/temp-workspace';
import { waitFor } from '../helpers/wait-for';

/**
 * The export written ahead, on real SQLite and files: the export effect's two halves, then the
 * daemon as `runDaemon` wires them (debounce 500 ms, so a prepare after 400 ms of quiet) with its
 * timers on a virtual clock: what the prepare writes ahead, when the export uses it, and that no
 * staged file outlives a clean stop.
 */

const SETTINGS: ResolvedSettings = {
  mode: 'poll',
  debounceMs: 500,
  maxWaitMs: 2000,
  pollIntervalMs: 3_600_000,
  watcherFallback: true,
  logFormat: 'json',
  safetyIntervalMs: 0,
};

/** The export's temp files in `.beads/` (not the `tmp-old-*` names of replaced files). */
function stagedTemps(ws: TempWorkspace): string[] {
  return ws.beadsEntries().filter((name) => /^\.issues\.jsonl\.tmp-\d/.test(name));
}

describe('exportEffect with runPrepareExport (real SQLite and files)', () => {
  const workspace = useTempWorkspaces();

  function effects(ws: TempWorkspace) {
    return { ...exportEffect(ws.store, ws.jsonlPath), ...importEffect(ws.store, ws.jsonlPath) };
  }

  it('should report export/done with staged: true, in JSON and in text, when the prepared file was used', async () => {
    const ws = workspace();
    const fx = effects(ws);
    ws.store.create({ title: 'First' }, 'tester');
    await firstValueFrom(runEffect({ kind: 'export', batched: 1 }, fx));
    ws.store.create({ title: 'Second' }, 'tester');

    await lastValueFrom(fx.prepare(), { defaultValue: undefined });
    const event = await firstValueFrom(runEffect({ kind: 'export', batched: 2 }, fx));

    expect(event).toMatchObject({ type: 'export/done', issues: 2, staged: true, batched: 2 });
    expect(formatEventText(stampEvent(event, new Date()))).toMatch(/2 issues, \d+ B in [\d.]+ ms, written ahead \(batched 2\)$/);
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(renderJsonl(ws.store).data);
    expect(stagedTemps(ws)).toEqual([]);
  });

  it('should leave one staged file after two prepares, and none after the export', async () => {
    const ws = workspace();
    const fx = effects(ws);
    const first = ws.store.create({ title: 'First' }, 'tester');
    await firstValueFrom(fx.export());
    ws.store.update(first.id, { title: 'Once' }, 'tester');
    await lastValueFrom(fx.prepare(), { defaultValue: undefined });
    ws.store.update(first.id, { title: 'Twice' }, 'tester');
    await lastValueFrom(fx.prepare(), { defaultValue: undefined });
    expect(stagedTemps(ws)).toHaveLength(1);

    const outcome = await firstValueFrom(fx.export());

    expect(outcome).toMatchObject({ kind: 'done', staged: true });
    expect(ws.jsonlRecords().map((r) => r.title)).toEqual(['Twice']);
    expect(stagedTemps(ws)).toEqual([]);
  });

  it('should write nothing in a prepare when there is nothing to export', async () => {
    const ws = workspace();
    const fx = effects(ws);
    ws.store.create({ title: 'Only' }, 'tester');
    await firstValueFrom(fx.export());
    const before = fs.statSync(ws.jsonlPath);

    await lastValueFrom(fx.prepare(), { defaultValue: undefined });

    expect(stagedTemps(ws)).toEqual([]);
    expect(fs.statSync(ws.jsonlPath).ino).toBe(before.ino);
    expect((await firstValueFrom(fx.export())).kind).toBe('skipped');
  });
});

/** A daemon on `ws` whose clock only moves when told to. */
function virtualDaemon(ws: TempWorkspace) {
  const scheduler = new VirtualTimeScheduler();
  const signals$ = new Subject<DaemonSignal>();
  const trigger$ = new Subject<SyncTrigger>();
  const events: Array<DaemonEvent & { at: number }> = [];
  const exit = runDaemon({
    paths: workspacePaths(ws.root),
    settings: SETTINGS,
    write: (line) => events.push({ ...(JSON.parse(line) as DaemonEvent), at: scheduler.now() }),
    signals$,
    trigger$,
    scheduler,
    rpc: false,
  });
  return {
    events,
    exit,
    /** Runs `fn` at virtual time `at` (ms from the start). */
    at: (at: number, fn: () => void) => scheduler.schedule(fn, at),
    /** Runs everything due up to virtual time `ms`. */
    advanceTo: (ms: number) => {
      scheduler.maxFrames = ms;
      scheduler.flush();
    },
    exportRequested: () => trigger$.next({ kind: 'export', reason: 'test' }),
    stop: () => signals$.next('SIGTERM'),
    exports: () => events.filter((e) => e.type.startsWith('export/')),
  };
}

/** A write the daemon's connection did not make, on the same DB file. */
function writeFromAnotherConnection(ws: TempWorkspace, title: string): string {
  const other = new BeadsStore(ws.dbPath);
  try {
    return other.create({ title }, 'outside').id;
  } finally {
    other.dispose();
  }
}

/*
 * The writes come from another connection (no RPC here), with an explicit export request, as a
 * `--no-daemon` CLI would.
 */
describe('prepare ahead in the daemon (runDaemon, virtual clock, real files)', () => {
  const workspace = useTempWorkspaces();

  function seeded(): TempWorkspace {
    const ws = workspace();
    for (let i = 0; i < 20; i++) ws.store.create({ title: `Issue ${i}` }, 'tester');
    ws.export();
    return ws;
  }

  it('should write the export 400 ms after the request, rename it at 500 ms and report export/done staged', async () => {
    const ws = seeded();
    const d = virtualDaemon(ws);
    let id = '';
    d.at(1000, () => {
      id = writeFromAnotherConnection(ws, 'Waiting for its export');
      d.exportRequested();
    });

    d.advanceTo(1450);
    expect(stagedTemps(ws)).toHaveLength(1);
    expect(ws.jsonlIds()).not.toContain(id);

    d.advanceTo(1500);
    // The prepare's fsync runs on the thread pool, in real time: the export due at 1500 runs
    // once it is back (the virtual clock still reads 1500).
    await waitFor(() => d.exports().length > 1, 10_000, 'the export due at 1500');
    expect(d.exports().slice(1)).toEqual([expect.objectContaining({ type: 'export/done', issues: 21, staged: true, at: 1500 })]);
    expect(ws.jsonlIds()).toContain(id);
    expect(ws.readJsonl()).toBe(renderJsonl(ws.store).data.toString('utf8'));
    expect(stagedTemps(ws)).toEqual([]);

    d.stop();
    await expect(d.exit).resolves.toBe(0);
  });

  it('should use the staged file for the export flushed by a stop between the prepare and the deadline, leaving no temp', async () => {
    const ws = seeded();
    const d = virtualDaemon(ws);
    let id = '';
    d.at(1000, () => {
      id = writeFromAnotherConnection(ws, 'Exported at the stop');
      d.exportRequested();
    });
    d.at(1450, () => d.stop());

    d.advanceTo(1450);
    await expect(d.exit).resolves.toBe(0);

    expect(d.exports().slice(1)).toEqual([expect.objectContaining({ type: 'export/done', issues: 21, staged: true, at: 1450 })]);
    expect(d.events[d.events.length - 1].type).toBe('daemon/stopped');
    expect(ws.jsonlIds()).toContain(id);
    expect(stagedTemps(ws)).toEqual([]);
  });

  it('should discard a staged file made stale before a stop, export everything as usual, and leave no temp', async () => {
    const ws = seeded();
    const d = virtualDaemon(ws);
    const ids: string[] = [];
    d.at(1000, () => {
      ids.push(writeFromAnotherConnection(ws, 'Before the prepare'));
      d.exportRequested();
    });
    d.at(1450, () => ids.push(writeFromAnotherConnection(ws, 'After the prepare')));
    d.at(1460, () => d.stop());

    d.advanceTo(1455);
    expect(stagedTemps(ws)).toHaveLength(1);
    d.advanceTo(1460);
    await expect(d.exit).resolves.toBe(0);

    const [flushed] = d.exports().slice(1);
    expect(flushed).toMatchObject({ type: 'export/done', issues: 22, at: 1460 });
    expect(flushed).not.toHaveProperty('staged');
    expect(ws.jsonlIds()).toEqual(expect.arrayContaining(ids));
    expect(ws.readJsonl()).toBe(renderJsonl(ws.store).data.toString('utf8'));
    expect(stagedTemps(ws)).toEqual([]);
  });
});
