import * as fs from 'node:fs';
import { contentHash } from '../../src/jsonl/content-hash';
import { BeadsStore } from '../../src/store/beads-store';
import { renderJsonl } from '../../src/sync/export-jsonl';
import { META_HASH, unchangedByStat } from '../../src/sync/jsonl-file-state';
import { LeanExporter } from '../../src/sync/lean-exporter';
import { commitStagedExport } from '../../src/sync/staged-export';
import { issueLine, type TempWorkspace, useTempWorkspaces } from '../helpers/temp-workspace';

/**
 * The daemon's export in two steps, on real SQLite files and a real `.beads/`: the lean
 * exporter's `stage` writes the next export ahead (temp file, fsync), and `commitStagedExport`
 * renames it into place only when nothing changed in between; otherwise the staged file is
 * removed and the export runs as usual (as src/effects/export-effect.ts does).
 */

type Staged = NonNullable<ReturnType<LeanExporter['stage']>>;

/** The export's temp files in `.beads/` (not the `tmp-old-*` names of replaced files). */
function stagedTemps(ws: TempWorkspace): string[] {
  return ws.beadsEntries().filter((name) => /^\.issues\.jsonl\.tmp-\d/.test(name));
}

/** What a full export of the DB writes, read afresh (no cache). */
function fullExport(store: BeadsStore): Buffer {
  return renderJsonl(store).data;
}

/** Thirty issues, exported by the daemon's way (through `exporter`), then one local edit pending. */
function daemonWorkspace(ws: TempWorkspace, exporter: LeanExporter): string[] {
  const ids = Array.from({ length: 30 }, (_, i) => ws.store.create({ title: `Issue ${i}` }, 'tester').id);
  exporter.export();
  ws.store.update(ids[3], { title: 'Edited before the prepare' }, 'tester');
  return ids;
}

function stage(exporter: LeanExporter): Staged {
  const staged = exporter.stage();
  if (!staged) throw new Error('expected LeanExporter.stage to write a staged file');
  return staged;
}

/** The export as the daemon runs it: the staged file if still exact, else a normal export. */
function exportAfterStaging(ws: TempWorkspace, staged: Staged, exporter: LeanExporter) {
  const committed = commitStagedExport(ws.store, staged, { jsonlPath: ws.jsonlPath });
  exporter.staged(staged, committed !== undefined);
  return committed ?? exporter.export();
}

describe('staged export (LeanExporter.stage, commitStagedExport)', () => {
  const workspace = useTempWorkspaces();

  it('should rename the staged file into place when nothing changed: same inode, bytes of a full export', () => {
    const ws = workspace();
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    daemonWorkspace(ws, exporter);
    const staged = stage(exporter);
    const stagedIno = fs.statSync(staged.tmp).ino;
    expect(ws.readJsonl()).not.toContain('Edited before the prepare');

    const report = exportAfterStaging(ws, staged, exporter);

    expect(report).toMatchObject({ staged: true, issues: 30, bytes: staged.bytes });
    expect(fs.statSync(ws.jsonlPath).ino).toBe(stagedIno);
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
    expect(ws.readJsonl()).toContain('Edited before the prepare');
    expect(stagedTemps(ws)).toEqual([]);
  });

  it('should record a staged export as the DB in step with the file: nothing pending, its hash, not re-imported', () => {
    const ws = workspace();
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    daemonWorkspace(ws, exporter);
    exportAfterStaging(ws, stage(exporter), exporter);

    expect(ws.store.pendingExportCount()).toBe(0);
    expect(ws.store.getMeta(META_HASH)).toBe(contentHash(fs.readFileSync(ws.jsonlPath)));
    expect(unchangedByStat(ws.store, ws.jsonlPath)).toBe(true);
    expect(ws.import().skipped).toBe('unchanged');
    expect(exporter.export().skipped).toBe('clean');
  });

  it('should discard the staged file after a write on the same store, and export that write too', () => {
    const ws = workspace();
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    const ids = daemonWorkspace(ws, exporter);
    const staged = stage(exporter);
    ws.store.update(ids[20], { title: 'Edited after the prepare' }, 'tester');

    const report = exportAfterStaging(ws, staged, exporter);

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
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    const ids = daemonWorkspace(ws, exporter);
    const staged = stage(exporter);
    ws.store.delete(ids[7], 'tester');

    const report = exportAfterStaging(ws, staged, exporter);

    expect(report).toMatchObject({ issues: 29 });
    expect(report.staged).toBeUndefined();
    expect(stagedTemps(ws)).toEqual([]);
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
    expect(ws.jsonlIds()).not.toContain(ids[7]);
  });

  it('should discard the staged file after a commit by another connection to the same DB file', () => {
    const ws = workspace();
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    daemonWorkspace(ws, exporter);
    const staged = stage(exporter);
    const other = new BeadsStore(ws.dbPath);
    let outside: string;
    try {
      outside = other.create({ title: 'Written by a --no-daemon CLI' }, 'outside').id;
    } finally {
      other.dispose();
    }

    const report = exportAfterStaging(ws, staged, exporter);

    expect(report.staged).toBeUndefined();
    expect(report.issues).toBe(31);
    expect(stagedTemps(ws)).toEqual([]);
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
    expect(ws.jsonlIds()).toContain(outside);
  });

  it('should discard the staged file after an outside change to the JSONL, and merge that change as before', () => {
    const ws = workspace();
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    daemonWorkspace(ws, exporter);
    const staged = stage(exporter);
    const pulled = issueLine({ id: 'bd-pulled', title: 'Pulled from a teammate' });
    ws.writeJsonl([...ws.readJsonl().trimEnd().split('\n'), pulled]);

    const report = exportAfterStaging(ws, staged, exporter);

    expect(report.staged).toBeUndefined();
    expect(report.merged).toMatchObject({ created: 1, deleted: 0 });
    expect(stagedTemps(ws)).toEqual([]);
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
    expect(ws.readJsonl()).toContain(`${pulled}\n`);
    expect(ws.readJsonl()).toContain('Edited before the prepare');
  });

  it('should export as usual when the staged file is gone by the deadline', () => {
    const ws = workspace();
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    daemonWorkspace(ws, exporter);
    const staged = stage(exporter);
    fs.rmSync(staged.tmp);

    const report = exportAfterStaging(ws, staged, exporter);

    expect(report).toMatchObject({ issues: 30 });
    expect(report.staged).toBeUndefined();
    expect(fs.readFileSync(ws.jsonlPath)).toEqual(fullExport(ws.store));
  });

  it('should stage nothing when there is no local change to export', () => {
    const ws = workspace();
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    ws.store.create({ title: 'Exported already' }, 'tester');
    exporter.export();

    expect(exporter.stage()).toBeUndefined();
    expect(stagedTemps(ws)).toEqual([]);
  });

  it('should stage nothing while the JSONL differs from the one last synced, or is missing: the export must merge first', () => {
    const ws = workspace();
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    daemonWorkspace(ws, exporter);
    ws.writeJsonl([...ws.readJsonl().trimEnd().split('\n'), issueLine({ id: 'bd-pulled' })]);
    expect(exporter.stage()).toBeUndefined();

    fs.rmSync(ws.jsonlPath);
    expect(exporter.stage()).toBeUndefined();
    expect(stagedTemps(ws)).toEqual([]);
  });
});
