import { freshRecord, patchRecord } from '../../src/store/issue-record';
import { ISSUE_FIELDS } from '../../src/store/issue-rules';

describe('freshRecord', () => {
  it('should put id first and every key in bd order, whatever order the fields come in', () => {
    const rec = freshRecord({
      labels: ['ui'],
      updated_at: '2025-06-01T12:00:00.000Z',
      priority: 1,
      title: 'T',
      created_at: '2025-06-01T12:00:00.000Z',
      status: 'open',
      issue_type: 'bug',
      description: 'D',
      id: 'bd-a1b2',
      assignee: 'bob',
    });
    expect(Object.keys(rec)).toEqual([
      'id', 'title', 'description', 'status', 'priority', 'issue_type', 'assignee', 'created_at', 'updated_at', 'labels',
    ]);
    const order = Object.keys(rec).map((k) => ISSUE_FIELDS.indexOf(k as (typeof ISSUE_FIELDS)[number]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('should omit empty optional fields but always write id, title, status, priority and issue_type', () => {
    const rec = freshRecord({
      id: 'bd-1', title: '', status: 'open', priority: 0, issue_type: 'task',
      description: '', assignee: undefined, labels: [], dependencies: [], notes: null,
    });
    expect(rec).toEqual({ id: 'bd-1', title: '', status: 'open', priority: 0, issue_type: 'task' });
  });

  it('should append fields bd does not know after the known ones', () => {
    const rec = freshRecord({ id: 'bd-1', zeta: 1, title: 'T', alpha: 'a' });
    expect(Object.keys(rec)).toEqual(['id', 'title', 'zeta', 'alpha']);
  });
});

describe('patchRecord', () => {
  const original = { id: 'x-1', status: 'open', title: 'Old', updated_at: '2025-01-01T00:00:00Z', custom: { a: 1 } };

  it('should keep the original key order, change values in place and append new keys', () => {
    const next = patchRecord(original, { title: 'New', assignee: 'bob', updated_at: '2025-06-01T12:00:00.000Z' });
    expect(Object.keys(next)).toEqual(['id', 'status', 'title', 'updated_at', 'custom', 'assignee']);
    expect(next).toEqual({ ...original, title: 'New', assignee: 'bob', updated_at: '2025-06-01T12:00:00.000Z' });
    expect(original.title).toBe('Old');
  });

  it('should remove an optional key set to empty and ignore undefined', () => {
    const next = patchRecord({ ...original, closed_at: '2025-01-02T00:00:00Z' }, { closed_at: '', title: undefined });
    expect(next).toEqual(original);
  });
});
