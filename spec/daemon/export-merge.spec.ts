import { firstValueFrom } from 'rxjs';
import { exportEffect } from '../../src/effects/export-effect';
import { importEffect } from '../../src/effects/import-effect';
import { formatEventText, stampEvent } from '../../src/events/format-event';
import { runEffect } from '../../src/pipeline/run-effect';
import { initialStats, reduceStats } from '../../src/daemon/daemon-stats';
import { TempWorkspace, issueLine } from '../helpers/temp-workspace';

describe('an export that first merges an outside change (real SQLite and files)', () => {
  let ws: TempWorkspace;
  beforeEach(() => {
    ws = new TempWorkspace();
  });
  afterEach(() => ws.dispose());

  it('should report the merge in export/done (counts and findings), in text, and count it as an import', async () => {
    const local = ws.store.create({ title: 'Local' }, 'tester');
    ws.export();
    // A teammate's change lands (git pull) while a local write waits for its export.
    ws.writeJsonl([
      ws.readJsonl().trimEnd(),
      issueLine({ id: 'bd-pulled', title: 'Pulled', issue_type: 'saga' }),
    ]);
    ws.store.update(local.id, { title: 'Local, edited' }, 'tester');

    const effects = { ...exportEffect(ws.store, ws.jsonlPath), ...importEffect(ws.store, ws.jsonlPath) };
    const event = await firstValueFrom(runEffect({ kind: 'export', batched: 1 }, effects));
    expect(event).toMatchObject({
      type: 'export/done',
      issues: 2,
      merged: { created: 1, updated: 0, deleted: 0, unchanged: 0, warnings: { unknown_type: 1 } },
    });
    expect(ws.jsonlIds()).toEqual(['bd-pulled', local.id].sort());
    expect(ws.jsonlRecords().find((r) => r.id === local.id)!.title).toBe('Local, edited');

    const logged = stampEvent(event, new Date('2026-01-01T00:00:00Z'));
    expect(formatEventText(logged)).toContain('after merging an outside change (1 created, 0 updated, 0 deleted)');
    const stats = reduceStats(initialStats('events'), logged).stats;
    expect(stats).toMatchObject({ exports: 1, imports: 1 });
  });

  it('should report nothing merged for an export of local changes alone', async () => {
    ws.store.create({ title: 'Local' }, 'tester');
    const effects = { ...exportEffect(ws.store, ws.jsonlPath), ...importEffect(ws.store, ws.jsonlPath) };
    const event = await firstValueFrom(runEffect({ kind: 'export', batched: 1 }, effects));
    expect(event.type).toBe('export/done');
    expect(event).not.toHaveProperty('merged');
  });
});
