import * as fs from 'node:fs';
import { firstValueFrom } from 'rxjs';
import { exportEffect } from '../../src/effects/export-effect';
import { importEffect } from '../../src/effects/import-effect';
import { TempWorkspace, issueLine } from '../helpers/temp-workspace';

describe('deferred WAL checkpoints (the daemon connection)', () => {
  let ws: TempWorkspace;
  beforeEach(() => {
    ws = new TempWorkspace();
  });
  afterEach(() => ws.dispose());

  /** Pages in the WAL not yet copied back, as a PASSIVE checkpoint reports before copying them. */
  function walPages(): number {
    return ws.store.checkpoint().walPages;
  }

  it('should let commits pile up in the WAL past SQLite’s 1,000-page auto-checkpoint, then copy them all', () => {
    ws.store.checkpoint();
    ws.store.deferCheckpoints();
    for (let i = 0; i < 400; i++) ws.store.create({ title: `Issue ${i}`, labels: ['a'] }, 'tester');
    const { walPages: pages, copied } = ws.store.checkpoint();
    expect(pages).toBeGreaterThan(1000);
    expect(copied).toBe(pages);
  });

  it('should, without deferring, never hold more than about 1,000 pages (SQLite checkpoints on commit)', () => {
    ws.store.checkpoint();
    for (let i = 0; i < 400; i++) ws.store.create({ title: `Issue ${i}`, labels: ['a'] }, 'tester');
    expect(walPages()).toBeLessThan(1000);
  });

  /** True when the database file holds every page: nothing is left only in the WAL. */
  function dbFileComplete(): boolean {
    const pages = ws.sql().pragma('page_count', { simple: true }) as number;
    const size = ws.sql().pragma('page_size', { simple: true }) as number;
    return fs.statSync(ws.dbPath).size === pages * size;
  }

  it('should checkpoint in the export effect and in the import effect', async () => {
    ws.store.checkpoint();
    ws.store.deferCheckpoints();
    for (let i = 0; i < 200; i++) ws.store.create({ title: `Issue ${i}`, description: 'x'.repeat(500) }, 'tester');
    expect(dbFileComplete()).toBe(false);
    const exported = await firstValueFrom(exportEffect(ws.store, ws.jsonlPath).export());
    expect(exported.kind).toBe('done');
    expect(dbFileComplete()).toBe(true);

    const outside = Array.from({ length: 200 }, (_, i) => issueLine({ id: `bd-out${i}`, description: 'y'.repeat(500) }));
    ws.writeJsonl([...ws.readJsonl().trimEnd().split('\n'), ...outside]);
    const imported = await firstValueFrom(importEffect(ws.store, ws.jsonlPath).import());
    expect(imported).toMatchObject({ kind: 'done', created: 200 });
    expect(dbFileComplete()).toBe(true);
  });
});
