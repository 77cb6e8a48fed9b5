import { firstValueFrom, toArray } from 'rxjs';
import { createDaemonRuntime, DaemonStoppedError, EVENT_REPLAY, MUTATION_RING } from '../../src/daemon/daemon-runtime';
import { resolveSettings } from '../../src/daemon/daemon-settings';
import type { LoggedEvent } from '../../src/events/daemon-event';
import type { SyncTrigger } from '../../src/pipeline/daemon-sources';
import { workspacePaths } from '../../src/workspace/workspace-paths';
import { useTempWorkspaces } from '../helpers/temp-workspace';

const TS = '2026-01-01T00:00:00.000Z';
const imported = (requests?: number[]): LoggedEvent => ({
  ts: TS,
  type: 'import/skipped',
  reason: 'unchanged',
  batched: 1,
  ...(requests ? { requests } : {}),
});

describe('createDaemonRuntime', () => {
  const workspace = useTempWorkspaces();

  function runtimeOf() {
    const ws = workspace();
    const parts = createDaemonRuntime({
      store: ws.store,
      paths: workspacePaths(ws.root),
      settings: resolveSettings({ logFormat: 'json' }, {}),
      watched: [],
    });
    const triggers: SyncTrigger[] = [];
    parts.trigger$.subscribe((t) => triggers.push(t));
    return { ws, parts, triggers };
  }

  it('should resolve requestSync with the event of the run naming its id, not with an earlier run of the kind', async () => {
    const { parts, triggers } = runtimeOf();
    const answer = parts.runtime.requestSync('import', 'rpc');
    expect(triggers).toEqual([{ kind: 'import', reason: 'rpc', id: 1 }]);

    let settled = false;
    void answer.then(() => (settled = true));
    parts.record(imported());
    parts.record(imported([2]));
    await Promise.resolve();
    expect(settled).toBe(false);

    parts.record(imported([3, 1]));
    await expect(answer).resolves.toEqual(imported([3, 1]));
    parts.close();
  });

  it('should reject a request still waiting when the daemon stops, saying what to do', async () => {
    const { parts } = runtimeOf();
    const answer = parts.runtime.requestSync('export', 'rpc');
    parts.close();
    await expect(answer).rejects.toThrow(DaemonStoppedError);
    await expect(answer).rejects.toThrow(/run the command again/);
  });

  it('should replay the last events to a late subscriber, bounded, then follow live ones', async () => {
    const { parts } = runtimeOf();
    for (let i = 0; i < EVENT_REPLAY + 5; i++) parts.record({ ts: TS, type: 'fs/changed', path: `p${i}` });
    const seen = firstValueFrom(parts.runtime.replay$.pipe(toArray()));
    parts.record({ ts: TS, type: 'daemon/stopped' });
    parts.close();
    const events = await seen;
    expect(events).toHaveLength(EVENT_REPLAY + 1);
    expect(events[0]).toEqual({ ts: TS, type: 'fs/changed', path: 'p5' });
    expect(events.at(-1)).toEqual({ ts: TS, type: 'daemon/stopped' });
  });

  it('should fold recorded events into the stats and keep the last store writes in the ring', () => {
    const { ws, parts } = runtimeOf();
    parts.record({ ts: TS, type: 'daemon/failed', code: 'ESOURCE', message: 'trigger$ failed: socket closed' });
    expect(parts.runtime.stats()).toMatchObject({ errors: 1, last_error: 'ESOURCE: trigger$ failed: socket closed' });

    for (let i = 0; i < MUTATION_RING + 2; i++) ws.store.create({ title: `Issue ${i}` }, 'tester');
    const ring = parts.runtime.mutations();
    expect(ring).toHaveLength(MUTATION_RING);
    expect(ring.every((m) => m.op === 'create')).toBe(true);
    parts.close();
  });

  it('should ask the pipeline to stop as SIGTERM would', async () => {
    const { parts } = runtimeOf();
    const signal = firstValueFrom(parts.shutdown$);
    parts.runtime.shutdown();
    await expect(signal).resolves.toBe('SIGTERM');
    parts.close();
  });
});
