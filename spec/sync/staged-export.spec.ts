import * as fs from 'node:fs';
import { contentHash } from '../../src/jsonl/content-hash';
import { BeadsStore } from '../../src/store/beads-store';
import { exportJsonl, renderJsonl } from '../../src/sync/export-jsonl';
import { META_HASH, unchangedByStat } from '../../src/sync/jsonl-file-state';
import { LineCache } from '../../src/sync/line-cache';
import { commitStagedExport, stageExport, type StagedExport } from '../../src/sync/staged-export';
import { issueLine, type TempWorkspace, useTempWorkspaces } from '../helpers/temp-workspace';

/**
 * The daemon's export in two steps, on real SQLite files and a real `.beads/`: `stageExport`
 * writes the next export ahead (temp file, fsync), and the export renames it into place only
 * when nothing changed in between; otherwise it removes it and exports as usual.
 */

/** The export's temp files in `.beads/` (not the `tmp-old-*` names of replaced files). */
function stagedTemps(ws: TempWorkspace): string[] {
  return ws.beadsEntries().filter((name) => /^\.issues\.jsonl\.tmp-\d/.test(name));
}

/** What a full export of the DB writes, read afresh (no cache). */
function fullExport(store: BeadsStore): Buffer {
  return renderJsonl(store).data;
}

/** Thirty issues, exported by the daemon's way (through `cache`), then one local edit pending. */
function daemonWorkspace(ws: TempWorkspace, cache: LineCache): string[] {
  const ids = Array.from({ length: 30 }, (_, i) => ws.store.create({ title: `Issue ${i}` }, 'tester').id);
  exportJsonl(ws.store, { jsonlPath: ws.jsonlPath, cache });
  ws.store.update(ids[3], { title: 'Edited before the prepare' }, 'tester');
  return ids;
}

function stage(ws: TempWorkspace, cache: LineCache): StagedExport {
  const staged = stageExport(ws.store, { jsonlPath: ws.jsonlPath, cache });
  if (!staged) throw new Error('expected stageExport to write a staged file');
  return staged;
}

/** The export as the daemon runs it: the staged file if still exact, else a normal export. */
function exportAfterStaging(ws: TempWorkspace, staged: StagedExport, cache: LineCache) {
  return (
    commitStagedExport(ws.store, staged, { jsonlPath: ws.jsonlPath }) ??
    exportJsonl(ws.store, { jsonlPath: ws.jsonlPath, cache })
  );
}

describe('staged export (stageExport, commitStagedExport)', () => {
  const workspace = useTempWorkspaces();

  it('should rename the staged file into place when nothing changed: same inode, bytes of a full export', () => {
    const ws = workspace();
    const cache = new LineCache();
    daemonWorkspace(ws, cache);
    const staged = stage(ws, cache);
    const stagedIno = fs.statSync(staged.tmp).ino;
    expect(ws.readJsonl()).not.toContain('Edited before the prepare');

    const report = exportAfterStaging(ws, staged, cache);

    expect(report).toMatchObject({ staged: true, issues: 30, bytes: staged.bytes });
    expect(fs.statSync(ws.jsonlPath).ino).toBe(stagedIno);
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
    expect(ws.readJsonl()).toContain('Edited before the prepare');
    expect(stagedTemps(ws)).toEqual([]);
  });

  it('should record a staged export as the DB in step with the file: nothing pending, its hash, not re-imported', () => {
    const ws = workspace();
    const cache = new LineCache();
    daemonWorkspace(ws, cache);
    exportAfterStaging(ws, stage(ws, cache), cache);

    expect(ws.store.pendingExportCount()).toBe(0);
    expect(ws.store.getMeta(META_HASH)).toBe(contentHash(fs.readFileSync(ws.jsonlPath)));
    expect(unchangedByStat(ws.store, ws.jsonlPath)).toBe(true);
    expect(ws.import().skipped).toBe('unchanged');
    expect(exportJsonl(ws.store, { jsonlPath: ws.jsonlPath, cache }).skipped).toBe('clean');
  });

  it('should discard the staged file after a write on the same store, and export that write too', () => {
    const ws = workspace();
    const cache = new LineCache();
    const ids = daemonWorkspace(ws, cache);
    const staged = stage(ws, cache);
    ws.store.update(ids[20], { title: 'Edited after the prepare' }, 'tester');

    const report = exportAfterStaging(ws, staged, cache);

    expect(report.staged).toBeUndefined();
    expect(fs.existsSync(staged.tmp)).toBe(false);
    expect(stagedTemps(ws)).toEqual([]);
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
    expect(ws.readJsonl()).toContain('Edited before the prepare');
    expect(ws.readJsonl()).toContain('Edited after the prepare');
    expect(ws.store.pendingExportCount()).toBe(0);
  });

  it('should discard the staged file after a deletion on the same store, and export without the deleted issue', () => {
    const ws = workspace();
    const cache = new LineCache();
    const ids = daemonWorkspace(ws, cache);
    const staged = stage(ws, cache);
    ws.store.delete(ids[7], 'tester');

    const report = exportAfterStaging(ws, staged, cache);

    expect(report).toMatchObject({ issues: 29 });
    expect(report.staged).toBeUndefined();
    expect(stagedTemps(ws)).toEqual([]);
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
    expect(ws.jsonlIds()).not.toContain(ids[7]);
  });

  it('should discard the staged file after a commit by another connection to the same DB file', () => {
    const ws = workspace();
    const cache = new LineCache();
    daemonWorkspace(ws, cache);
    const staged = stage(ws, cache);
    const other = new BeadsStore(ws.dbPath);
    let outside: string;
    try {
      outside = other.create({ title: 'Written by a --no-daemon CLI' }, 'outside').id;
    } finally {
      other.dispose();
    }

    const report = exportAfterStaging(ws, staged, cache);

    expect(report.staged).toBeUndefined();
    expect(report.issues).toBe(31);
    expect(stagedTemps(ws)).toEqual([]);
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
    expect(ws.jsonlIds()).toContain(outside);
  });

  it('should discard the staged file after an outside change to the JSONL, and merge that change as before', () => {
    const ws = workspace();
    const cache = new LineCache();
    daemonWorkspace(ws, cache);
    const staged = stage(ws, cache);
    const pulled = issueLine({ id: 'bd-pulled', title: 'Pulled from a teammate' });
    ws.writeJsonl([...ws.readJsonl().trimEnd().split('\n'), pulled]);

    const report = exportAfterStaging(ws, staged, cache);

    expect(report.staged).toBeUndefined();
    expect(report.merged).toMatchObject({ created: 1, deleted: 0 });
    expect(stagedTemps(ws)).toEqual([]);
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
    expect(ws.readJsonl()).toContain(`${pulled}\n`);
    expect(ws.readJsonl()).toContain('Edited before the prepare');
  });

  it('should export as usual when the staged file is gone by the deadline', () => {
    const ws = workspace();
    const cache = new LineCache();
    daemonWorkspace(ws, cache);
    const staged = stage(ws, cache);
    fs.rmSync(staged.tmp);

    const report = exportAfterStaging(ws, staged, cache);

    expect(report).toMatchObject({ issues: 30 });
    expect(report.staged).toBeUndefined();
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
  });

  it('should stage nothing when there is no local change to export', () => {
    const ws = workspace();
    const cache = new LineCache();
    ws.store.create({ title: 'Exported already' }, 'tester');
    exportJsonl(ws.store, { jsonlPath: ws.jsonlPath, cache });

    expect(stageExport(ws.store, { jsonlPath: ws.jsonlPath, cache })).toBeUndefined();
    expect(stagedTemps(ws)).toEqual([]);
  });

  it('should stage nothing while the JSONL differs from the one last synced, or is missing: the export must merge first', () => {
    const ws = workspace();
    const cache = new LineCache();
    daemonWorkspace(ws, cache);
    ws.writeJsonl([...ws.readJsonl().trimEnd().split('\n'), issueLine({ id: 'bd-pulled' })]);
    expect(stageExport(ws.store, { jsonlPath: ws.jsonlPath, cache })).toBeUndefined();

    fs.rmSync(ws.jsonlPath);
    expect(stageExport(ws.store, { jsonlPath: ws.jsonlPath, cache })).toBeUndefined();
    expect(stagedTemps(ws)).toEqual([]);
  });
});
