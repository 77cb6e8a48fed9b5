import * as fs from 'node:fs';
import * as path from 'node:path';
import { LeanExporter } from '../../src/sync/lean-exporter';
import { commitStagedExport } from '../../src/sync/staged-export';
import { afterFileRead } from '../helpers/after-file-read';
import { TempWorkspace, issueLine } from '../helpers/temp-workspace';

// The module object itself (not the import's read-only view of it), so a spy is seen by src/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsModule = require('node:fs') as typeof fs;
const real = {
  renameSync: fsModule.renameSync.bind(fsModule),
  writeFileSync: fsModule.writeFileSync.bind(fsModule),
  readFileSync: fsModule.readFileSync.bind(fsModule),
  linkSync: fsModule.linkSync.bind(fsModule),
  fsyncSync: fsModule.fsyncSync.bind(fsModule),
};
const TEMP = /\/\.issues\.jsonl\.tmp-\d/;
const HELD_NAME = /\/\.issues\.jsonl\.tmp-held-\d/;

/**
 * The soak (scripts/soak.ts) lost an outside JSONL edit now and then: a teammate's file (git,
 * an editor: a new file renamed over the JSONL) landed while the daemon was between looking
 * at the JSONL and acting on it, and the daemon's next export renamed over it. Each window is
 * forced here at its exact point, with a real store, real files and real renames; the outside
 * writer adds one issue to the file it finds, as the soak's editor does.
 */
describe('an outside rename racing the daemon', () => {
  let ws: TempWorkspace;
  let outsideN = 0;
  beforeEach(() => {
    ws = new TempWorkspace();
    ws.writeJsonl([issueLine({ id: 'bd-001' }), issueLine({ id: 'bd-002' })]);
    ws.import();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    ws.dispose();
  });

  /** A teammate's edit: the file as it is now, plus one issue, renamed over it. Returns its id. */
  function outsideEdit(readBefore?: string): string {
    const id = `bd-out${++outsideN}`;
    const text = readBefore ?? real.readFileSync(ws.jsonlPath, 'utf8');
    const tmp = path.join(ws.root, `teammate-${outsideN}.jsonl`);
    real.writeFileSync(tmp, text + issueLine({ id, title: 'from a teammate', updated_at: '2025-06-01T12:30:00Z' }) + '\n');
    real.renameSync(tmp, ws.jsonlPath);
    return id;
  }

  /** Runs `outsideEdit` once, the first time `when` holds for a call of `fs[name]`, before or after the real call. */
  function interleave<K extends keyof typeof real>(name: K, when: (args: unknown[]) => boolean, at: 'before' | 'after'): { id?: string } {
    const out: { id?: string } = {};
    const original = real[name] as (...a: unknown[]) => unknown;
    jest.spyOn(fsModule, name).mockImplementation(((...args: unknown[]) => {
      const fire = out.id === undefined && when(args);
      if (fire && at === 'before') out.id = outsideEdit();
      const result = original(...args);
      if (fire && at === 'after') out.id = outsideEdit();
      return result;
    }) as never);
    return out;
  }

  /** After the race: a plain import and export, then both sides must hold both changes. */
  function expectBothKept(local: string, outside: string | undefined): void {
    jest.restoreAllMocks();
    expect(outside).toBeDefined();
    ws.import();
    new LeanExporter(ws.store, ws.jsonlPath).export();
    expect(ws.jsonlIds()).toEqual(expect.arrayContaining([local, outside!, 'bd-001', 'bd-002']));
    expect(ws.store.get(outside!)?.title).toBe('from a teammate');
    expect(ws.store.get(local)).toBeDefined();
    // And the DB's record of the file is the file now there: nothing more to import.
    expect(ws.import().skipped).toBe('unchanged');
  }

  it('should merge, not overwrite, a file renamed in while the export writes its temp (fsync)', () => {
    const local = ws.store.create({ title: 'local' }, 't').id;
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    const race = interleave('fsyncSync', () => true, 'before');

    const r = exporter.export();

    expect(race.id).toBeDefined();
    // The export itself noticed: the teammate's issue is in what it wrote.
    expect(r.merged?.created).toBe(1);
    expect(ws.jsonlIds()).toContain(race.id);
    expectBothKept(local, race.id);
  });

  it('should merge, not overwrite, a file renamed in right before the export takes the old file off the path', () => {
    const local = ws.store.create({ title: 'local' }, 't').id;
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    const race = interleave('renameSync', (a) => a[0] === ws.jsonlPath && HELD_NAME.test(String(a[1])), 'before');

    exporter.export();

    expect(ws.jsonlIds()).toContain(race.id);
    expectBothKept(local, race.id);
  });

  it('should not record a file renamed in right after the export as the one it wrote', () => {
    const local = ws.store.create({ title: 'local' }, 't').id;
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    // The call that puts the export's file at the path: link(2) since the swap (rename before).
    const race = interleave('linkSync', (a) => TEMP.test(String(a[0])) && a[1] === ws.jsonlPath, 'after');

    exporter.export();

    // The teammate's file is in place; the next import must see it as a change.
    expect(ws.jsonlIds()).toContain(race.id);
    expect(ws.import().created).toBe(1);
    expectBothKept(local, race.id);
  });

  it('should not record a file renamed in right after the import read the JSONL as the one it read', () => {
    ws.writeJsonl([issueLine({ id: 'bd-001', title: 'pulled', updated_at: '2025-06-01T12:10:00Z' }), issueLine({ id: 'bd-002' })]);
    const race: { id?: string } = {};
    afterFileRead(ws.jsonlPath, () => (race.id = outsideEdit()));

    const first = ws.import();
    const second = ws.import();

    // Whether the import read the file again at once (its stat moved under the read) or the
    // next one does: the teammate's issue is in, and then nothing is left to import.
    expect(first.updated).toBe(1);
    expect(first.created + second.created).toBe(1);
    expect(ws.store.get('bd-001')?.title).toBe('pulled');
    expect(ws.store.get(race.id!)?.title).toBe('from a teammate');
    expect(ws.import().skipped).toBe('unchanged');
  });

  /**
   * Runs `outsideEdit` once, right before the export's own file is put at the path: the call
   * that does it is a rename of the temp over the path (before the swap) or a link of it to the
   * path (since), so both are watched: whichever runs, the teammate's file lands just before it.
   * The teammate's copy is the file as it was when the export began to put its own in place
   * (the path may be empty at that instant).
   */
  function beforeOwnFileLands(): { id?: string } {
    const out: { id?: string } = {};
    let readBefore: string | undefined;
    for (const name of ['renameSync', 'linkSync'] as const) {
      const original = real[name] as (...a: unknown[]) => unknown;
      jest.spyOn(fsModule, name).mockImplementation(((...args: unknown[]) => {
        if (out.id === undefined && args[0] === ws.jsonlPath) readBefore ??= real.readFileSync(ws.jsonlPath, 'utf8');
        if (out.id === undefined && TEMP.test(String(args[0])) && args[1] === ws.jsonlPath) {
          out.id = outsideEdit(readBefore ?? real.readFileSync(ws.jsonlPath, 'utf8'));
        }
        return original(...args);
      }) as never);
    }
    return out;
  }

  it('should merge, not overwrite, a file renamed in after the export took the old file and before its own lands', () => {
    const local = ws.store.create({ title: 'local' }, 't').id;
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    const race = beforeOwnFileLands();

    const r = exporter.export();

    // The window the soak lost an outside edit in (between the check of the file replaced and
    // the replace): the export gave way, merged the teammate's file (without deletions: it came
    // while the path was empty) and wrote again.
    expect(race.id).toBeDefined();
    expect(r.issues).toBe(4);
    expect(ws.store.get(race.id!)?.title).toBe('from a teammate');
    expect(ws.jsonlIds()).toEqual(expect.arrayContaining([local, race.id!, 'bd-001', 'bd-002']));
    expect(fs.readdirSync(ws.beadsDir).filter((n) => n.startsWith('.issues.jsonl.tmp-') && !n.endsWith('tmp-base'))).toEqual([]);
    expectBothKept(local, race.id);
  });

  it('should delete nothing when a writer that found the path empty creates the JSONL with its one line (>>)', () => {
    const local = ws.store.create({ title: 'local' }, 't').id;
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    const id = 'bd-appended';
    let landed = false;
    const original = real.linkSync as (...a: unknown[]) => unknown;
    jest.spyOn(fsModule, 'linkSync').mockImplementation(((...args: unknown[]) => {
      if (!landed && TEMP.test(String(args[0])) && args[1] === ws.jsonlPath) {
        landed = true;
        // `echo LINE >> issues.jsonl` in the instant the swap has the path empty: O_APPEND|O_CREAT
        // makes a new file holding that line alone.
        real.writeFileSync(ws.jsonlPath, issueLine({ id, title: 'appended', updated_at: '2025-06-01T12:40:00Z' }) + '\n', { flag: 'a' });
      }
      return original(...args);
    }) as never);

    exporter.export();

    expect(landed).toBe(true);
    jest.restoreAllMocks();
    // Its absences are not deletions: every issue is still in the DB and in the file written.
    expect(ws.jsonlIds()).toEqual(expect.arrayContaining(['bd-001', 'bd-002', local, id]));
    expect(ws.store.get('bd-001')).toBeDefined();
    expect(ws.store.get(id)?.title).toBe('appended');
    expect(ws.import().skipped).toBe('unchanged');
    expect(new LeanExporter(ws.store, ws.jsonlPath).export().skipped).toBe('clean');
  });

  it('should keep a file renamed in while a staged export is swapped in, and drop the staged one', () => {
    const local = ws.store.create({ title: 'local' }, 't').id;
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    const staged = exporter.stage();
    expect(staged).toBeDefined();
    const race = beforeOwnFileLands();

    const committed = commitStagedExport(ws.store, staged!, { jsonlPath: ws.jsonlPath, releaseOldInBackground: true });

    expect(race.id).toBeDefined();
    expect(committed).toBeUndefined();
    expect(fs.existsSync(staged!.tmp)).toBe(false);
    expect(ws.jsonlIds()).toContain(race.id);
    expectBothKept(local, race.id);
  });

  it('should drop a staged export when a file is renamed in between its check and its rename', () => {
    const local = ws.store.create({ title: 'local' }, 't').id;
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    const staged = exporter.stage();
    expect(staged).toBeDefined();
    const race = interleave('renameSync', (a) => a[0] === ws.jsonlPath && HELD_NAME.test(String(a[1])), 'before');

    const committed = commitStagedExport(ws.store, staged!, { jsonlPath: ws.jsonlPath, releaseOldInBackground: true });

    expect(committed).toBeUndefined();
    expect(fs.existsSync(staged!.tmp)).toBe(false);
    expect(ws.jsonlIds()).toContain(race.id);
    expectBothKept(local, race.id);
  });
});
