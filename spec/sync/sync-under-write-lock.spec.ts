import { BeadsStore } from '../../src/store/beads-store';
import { LeanExporter } from '../../src/sync/lean-exporter';
import { afterFileRead } from '../helpers/after-file-read';
import { TempWorkspace, issueLine } from '../helpers/temp-workspace';

const NEWER = '2030-01-01T00:00:00Z';

/**
 * Fault 7 (10 direct-mode writers at once) lost a create now and then: a process read the JSONL
 * before taking the write lock, another process created an issue and exported it (recording the
 * new file as synced), and the first then merged the stale bytes it had read, deleting the new
 * issue as "gone from the file". The interleaving is forced here at the exact point: a second
 * real connection writes and exports right after the import has read the file.
 */
describe('importJsonl under concurrent writers', () => {
  let ws: TempWorkspace;
  let other: BeadsStore;
  beforeEach(() => {
    ws = new TempWorkspace();
    ws.writeJsonl([issueLine({ id: 'bd-001' }), issueLine({ id: 'bd-002' })]);
    ws.import();
    other = new BeadsStore(ws.dbPath, { prefix: 'bd' });
    // A write that would have to wait for the lock fails at once, so the test shows who held it.
    other.setBusyTimeout(0);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    other.dispose();
    ws.dispose();
  });

  function createAndExport(): string {
    const id = other.create({ title: 'from another process' }, 't').id;
    new LeanExporter(other, ws.jsonlPath).export();
    return id;
  }

  it('should not delete an issue another connection created and exported while the file was being read', () => {
    // An outside change (a git pull), so the next import reads the file.
    ws.writeJsonl([issueLine({ id: 'bd-001', title: 'pulled', updated_at: NEWER }), issueLine({ id: 'bd-002' })]);
    let interleaved: { id?: string; refused?: string } | undefined;
    afterFileRead(ws.jsonlPath, () => {
      interleaved = {};
      try {
        interleaved.id = createAndExport();
      } catch (err) {
        interleaved.refused = (err as Error).message;
      }
    });

    const report = ws.import();
    jest.restoreAllMocks();
    // The import holds the write lock while it reads: the other writer waits its turn, then writes.
    const id = interleaved?.id ?? createAndExport();

    expect(report.deleted).toBe(0);
    expect(report.updated).toBe(1);
    expect(ws.store.get(id)?.title).toBe('from another process');
    expect(ws.store.get('bd-001')?.title).toBe('pulled');
    expect(ws.jsonlIds()).toEqual(['bd-001', 'bd-002', id].sort());
    // The DB's record of the file is the file now there: the next import has nothing to do.
    expect(ws.import().skipped).toBe('unchanged');
    expect(interleaved?.refused).toMatch(/locked|busy/i);
  });
});
