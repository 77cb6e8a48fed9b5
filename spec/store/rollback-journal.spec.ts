import * as fs from 'node:fs';
import * as path from 'node:path';
import { BeadsStore } from '../../src/store/beads-store';
import { issueLine, useTempWorkspaces } from '../helpers/temp-workspace';

describe('BeadsStore.withRollbackJournal', () => {
  const workspace = useTempWorkspaces();

  it('should run the load out of WAL and put WAL back after it', () => {
    const ws = workspace();
    let during = '';

    ws.store.withRollbackJournal(() => {
      during = ws.store.journalMode();
      ws.store.inTransaction(() => ws.store.writeIssue({ id: 'bd-a' }, issueLine({ id: 'bd-a' }), { dirty: true, synced: false }, true));
    });

    expect(during).toBe('delete');
    expect(ws.store.journalMode()).toBe('wal');
    expect(ws.reopen().count()).toBe(1);
  });

  it('should put WAL back when the load throws, its transaction rolled back', () => {
    const ws = workspace();

    expect(() =>
      ws.store.withRollbackJournal(() =>
        ws.store.inTransaction(() => {
          ws.store.writeIssue({ id: 'bd-a' }, issueLine({ id: 'bd-a' }), { dirty: true, synced: false }, true);
          throw new Error('a bad line half way');
        }),
      ),
    ).toThrow('a bad line half way');

    expect(ws.store.journalMode()).toBe('wal');
    expect(ws.store.count()).toBe(0);
  });

  it('should stay in WAL when another connection has the DB open', () => {
    const ws = workspace();
    ws.sql().prepare('SELECT count(*) FROM issues').get();
    let during = '';

    ws.store.withRollbackJournal(() => {
      during = ws.store.journalMode();
    });

    expect(during).toBe('wal');
    expect(ws.store.journalMode()).toBe('wal');
  });

  it('should let a connection open the DB during the load and read it once the load is done', () => {
    const ws = workspace();
    let other: BeadsStore | undefined;
    try {
      ws.store.withRollbackJournal(() => {
        other = new BeadsStore(ws.dbPath);
        ws.store.inTransaction(() => ws.store.writeIssue({ id: 'bd-a' }, issueLine({ id: 'bd-a' }), { dirty: true, synced: false }, true));
      });

      expect(other!.count()).toBe(1);
      expect(ws.store.journalMode()).toBe('wal');
    } finally {
      other?.dispose();
    }
  });
});

describe('importJsonl of another file with bulkJournal', () => {
  const workspace = useTempWorkspaces();

  it('should import a large file into an empty DB completely and leave the DB in WAL', () => {
    const ws = workspace();
    fs.writeFileSync(ws.jsonlPath, '');
    const ids = Array.from({ length: 1500 }, (_, i) => `bd-${String(i).padStart(4, '0')}`);
    const file = path.join(ws.root, 'big.jsonl');
    fs.writeFileSync(file, ids.map((id) => `${issueLine({ id, labels: ['x'] })}\n`).join(''));

    const r = ws.import({ source: file, writeJsonl: true, bulkJournal: true });

    expect(r).toMatchObject({ created: 1500, jsonl_written: true });
    expect(ws.store.journalMode()).toBe('wal');
    expect(ws.reopen().count()).toBe(1500);
    expect(ws.store.list({ labels: ['x'], limit: 0 })).toHaveLength(1500);
    expect(fs.readFileSync(ws.jsonlPath).equals(fs.readFileSync(file))).toBe(true);
  });
});
