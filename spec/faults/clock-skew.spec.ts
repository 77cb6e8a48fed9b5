import { compareTimestamps } from '../../src/jsonl/rfc3339';
import { issueLine, useTempWorkspaces } from '../helpers/temp-workspace';

describe('fault 11: clock skew', () => {
  const workspace = useTempWorkspaces();

  it('should let a local edit of a record dated 9999 apply and win, stamped after the stored time', () => {
    const ws = workspace({ now: '2026-12-01T10:00:00.000Z' });
    ws.writeJsonl([issueLine({ id: 'bd-fut', title: 'From a fast clock', updated_at: '9999-01-01T00:00:00Z' })]);
    ws.import();

    const edited = ws.store.update('bd-fut', { title: 'Edited here' }, 'tester');

    expect(edited.title).toBe('Edited here');
    expect(edited.updated_at).toBe('9999-01-01T00:00:00.001Z');
    ws.export();
    // A clone still holding the 9999 copy takes the edit on its next import, instead of keeping its own.
    const clone = workspace({ now: '2026-12-01T10:00:00.000Z' });
    clone.writeJsonl([issueLine({ id: 'bd-fut', title: 'From a fast clock', updated_at: '9999-01-01T00:00:00Z' })]);
    clone.import();
    clone.writeJsonl(ws.readJsonl());
    const report = clone.import();
    expect(report.kept_local).toEqual([]);
    expect(clone.store.show('bd-fut').title).toBe('Edited here');
  });

  it('should stamp a local edit with the clock when the stored time is in the past', () => {
    const ws = workspace({ now: '2026-12-01T10:00:00.000Z' });
    const { id } = ws.store.create({ title: 'Ordinary' }, 'tester');
    ws.setTime('2026-12-01T10:05:00.000Z');
    expect(ws.store.update(id, { priority: 1 }, 'tester').updated_at).toBe('2026-12-01T10:05:00.000Z');
  });

  it('should report far-future and malformed timestamps as import warnings', () => {
    const ws = workspace();
    ws.writeJsonl([
      issueLine({ id: 'bd-a', updated_at: '9999-01-01T00:00:00Z' }),
      issueLine({ id: 'bd-b', updated_at: '2026-13-45T99:99:99Z' }),
      issueLine({ id: 'bd-c' }),
    ]);

    const report = ws.import();

    expect(report.warnings.future_timestamp).toBe(1);
    expect(report.warnings.bad_timestamp).toBe(1);
    expect(report.created).toBe(3);
  });

  it('should never let a malformed timestamp beat a valid one', () => {
    expect(compareTimestamps('2026-13-45T99:99:99Z', '2020-01-01T00:00:00Z')).toBeLessThan(0);
    expect(compareTimestamps('2026-02-30T00:00:00Z', '2020-01-01T00:00:00Z')).toBeLessThan(0);
    expect(compareTimestamps('2024-02-29T23:59:59Z', '2020-01-01T00:00:00Z')).toBeGreaterThan(0);
  });

  it('should keep the valid copy of a duplicated id over one with a malformed timestamp', () => {
    const ws = workspace();
    ws.writeJsonl([
      issueLine({ id: 'bd-d', title: 'Valid', updated_at: '2025-03-01T00:00:00Z' }),
      issueLine({ id: 'bd-d', title: 'Malformed', updated_at: '2026-13-45T99:99:99Z' }),
    ]);
    ws.import();
    expect(ws.store.show('bd-d').title).toBe('Valid');
  });
});
