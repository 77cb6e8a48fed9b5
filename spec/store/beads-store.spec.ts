import type { IssueRecord } from '../../src/jsonl/parse-jsonl';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { ISSUE_FIELDS } from '../../src/store/issue-rules';
import type { StoreMutation } from '../../src/store/beads-store';
import { IssueNotFoundError, ValidationError } from '../../src/store/store-errors';
import { issueLine, useTempWorkspaces } from '../helpers/temp-workspace';

const T0 = '2025-06-01T12:00:00.000Z';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('BeadsStore', () => {
  const workspace = useTempWorkspaces();

  describe('create', () => {
    it('should give a hash id PREFIX- plus 4 base36 characters and bd defaults', () => {
      const ws = workspace({ prefix: 'demo' });
      const rec = ws.store.create({ title: 'Fix login' }, 'alice');
      expect(rec.id).toMatch(/^demo-[0-9a-z]{4}$/);
      expect(rec).toEqual({
        id: rec.id,
        title: 'Fix login',
        status: 'open',
        priority: 2,
        issue_type: 'task',
        created_at: T0,
        created_by: 'alice',
        updated_at: T0,
      });
      expect(ws.store.get(rec.id)).toEqual(rec);
    });

    it('should take the prefix from the workspace metadata', () => {
      const ws = workspace({ prefix: 'demo' });
      ws.store.setMeta('issue_prefix', 'acme');
      expect(ws.store.create({ title: 'x' }, 'alice').id).toMatch(/^acme-[0-9a-z]{4}$/);
    });

    it('should give distinct ids to identical issues created in the same millisecond', () => {
      const ws = workspace({ prefix: 'demo' });
      const ids = Array.from({ length: 20 }, () => ws.store.create({ title: 'Same' }, 'alice').id);
      expect(new Set(ids).size).toBe(20);
      for (const id of ids) expect(id).toMatch(/^demo-[0-9a-z]{4,}$/);
    });

    it('should use an explicit --id and refuse one that exists', () => {
      const ws = workspace();
      expect(ws.store.create({ title: 'Mine', id: 'bd-custom.1' }, 'alice').id).toBe('bd-custom.1');
      const err = thrown(() => ws.store.create({ title: 'Again', id: 'bd-custom.1' }, 'alice'));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain('"bd-custom.1" already exists');
      expect(thrown(() => ws.store.create({ title: 'Bad', id: 'no spaces here' }, 'alice')).message).toContain('"no spaces here"');
    });

    it.each([
      [{ priority: 7 }, '7'],
      [{ priority: -1 }, '-1'],
      [{ priority: 1.5 }, '1.5'],
      [{ issue_type: 'story' }, '"story"'],
      [{ title: '   ' }, 'title'],
    ])('should refuse %j with an error naming the bad value', (bad, named) => {
      const ws = workspace();
      const err = thrown(() => ws.store.create({ title: 'ok', ...bad }, 'alice'));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain(named);
      expect(ws.store.count()).toBe(0);
    });

    it('should record dependencies given as ID or TYPE:ID and refuse unknown targets', () => {
      const ws = workspace();
      const a = ws.store.create({ title: 'A', id: 'bd-a' }, 'alice');
      const b = ws.store.create({ title: 'B', id: 'bd-b' }, 'alice');
      const c = ws.store.create({ title: 'C', dependencies: [a.id, `related:${b.id}`] }, 'alice');
      expect(c.dependencies).toEqual([
        { issue_id: c.id, depends_on_id: 'bd-a', type: 'blocks', created_at: T0, created_by: 'alice' },
        { issue_id: c.id, depends_on_id: 'bd-b', type: 'related', created_at: T0, created_by: 'alice' },
      ]);
      expect(thrown(() => ws.store.create({ title: 'D', dependencies: ['bd-zzz'] }, 'alice'))).toBeInstanceOf(IssueNotFoundError);
      expect(thrown(() => ws.store.create({ title: 'E', dependencies: ['owns:bd-a'] }, 'alice')).message).toContain('"owns"');
    });
  });

  describe('fresh record bytes', () => {
    it('should serialize like bd: id first, bd key order, empty fields omitted, <>& and U+2028/9 escaped', () => {
      const ws = workspace();
      const rec = ws.store.create(
        {
          title: 'Render <b> & </b>',
          description: 'line\u2028sep\u2029para',
          labels: ['ui', 'a&b'],
          assignee: 'bob',
          priority: 1,
          issue_type: 'bug',
        },
        'alice',
      );
      const line = ws.store.getRow(rec.id)!.line;
      expect(line).toBe(
        `{"id":"${rec.id}","title":"Render \\u003cb\\u003e \\u0026 \\u003c/b\\u003e",` +
          '"description":"line\\u2028sep\\u2029para","status":"open","priority":1,"issue_type":"bug",' +
          `"assignee":"bob","created_at":"${T0}","created_by":"alice","updated_at":"${T0}","labels":["ui","a\\u0026b"]}`,
      );
      const keys = Object.keys(JSON.parse(line));
      expect(keys[0]).toBe('id');
      const positions = keys.map((k) => ISSUE_FIELDS.indexOf(k as (typeof ISSUE_FIELDS)[number]));
      expect(positions).not.toContain(-1);
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
      expect(keys).not.toEqual(expect.arrayContaining(['design', 'notes', 'dependencies', 'comments', 'external_ref']));
    });

    it('should keep an imported record key order when it is changed locally, appending new keys', () => {
      const ws = workspace();
      const original = '{"id":"bd-7","status":"open","title":"Old","priority":2,"updated_at":"2025-01-01T00:00:00-07:00","x_custom":{"k":[1,2]},"created_at":"2025-01-01T00:00:00-07:00"}';
      ws.writeJsonl([original]);
      ws.import();
      ws.store.update('bd-7', { title: 'New <title>', assignee: 'bob' }, 'alice');
      const line = ws.store.getRow('bd-7')!.line;
      expect(line).toBe(
        '{"id":"bd-7","status":"open","title":"New \\u003ctitle\\u003e","priority":2,' +
          `"updated_at":"${T0}","x_custom":{"k":[1,2]},"created_at":"2025-01-01T00:00:00-07:00","assignee":"bob"}`,
      );
    });
  });

  describe('update, close, reopen', () => {
    it('should change fields and stamp updated_at with the change time', () => {
      const ws = workspace();
      const rec = ws.store.create({ title: 'T', description: 'd' }, 'alice');
      ws.setTime('2025-06-02T08:00:00.000Z');
      const next = ws.store.update(rec.id, { title: 'T2', priority: 0, assignee: 'bob', status: 'in_progress', description: '' }, 'bob');
      expect(next).toMatchObject({ title: 'T2', priority: 0, assignee: 'bob', status: 'in_progress', updated_at: '2025-06-02T08:00:00.000Z', created_at: T0 });
      expect(next).not.toHaveProperty('description');
      expect(ws.store.get(rec.id)).toEqual(next);
    });

    it.each([
      [{ status: 'done' }, '"done"'],
      [{ priority: 9 }, '9'],
      [{ title: '' }, 'title'],
    ])('should refuse %j naming the bad value and change nothing', (bad, named) => {
      const ws = workspace();
      const rec = ws.store.create({ title: 'T' }, 'alice');
      const err = thrown(() => ws.store.update(rec.id, bad, 'alice'));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain(named);
      expect(ws.store.get(rec.id)).toEqual(rec);
    });

    it('should close with a reason and reopen clearing closed_at and close_reason', () => {
      const ws = workspace();
      const rec = ws.store.create({ title: 'T' }, 'alice');
      ws.setTime('2025-06-03T00:00:00.000Z');
      const closed = ws.store.close(rec.id, 'Fixed in abc123', 'alice');
      expect(closed).toMatchObject({ status: 'closed', closed_at: '2025-06-03T00:00:00.000Z', close_reason: 'Fixed in abc123' });
      ws.setTime('2025-06-04T00:00:00.000Z');
      const reopened = ws.store.reopen(rec.id, 'alice');
      expect(reopened.status).toBe('open');
      expect(reopened).not.toHaveProperty('closed_at');
      expect(reopened).not.toHaveProperty('close_reason');
      expect(reopened.updated_at).toBe('2025-06-04T00:00:00.000Z');
    });

    it('should set closed_at when closing through update and refuse unknown ids', () => {
      const ws = workspace();
      const rec = ws.store.create({ title: 'T' }, 'alice');
      expect(ws.store.update(rec.id, { status: 'closed' }, 'alice').closed_at).toBe(T0);
      expect(thrown(() => ws.store.update('bd-nope', { title: 'x' }, 'alice'))).toBeInstanceOf(IssueNotFoundError);
      expect(thrown(() => ws.store.close('bd-nope', undefined, 'alice')).message).toContain('"bd-nope" not found');
    });
  });

  describe('delete', () => {
    it('should remove the issue and the dependencies other issues had on it', () => {
      const ws = workspace();
      const a = ws.store.create({ title: 'A', id: 'bd-a' }, 'alice');
      const b = ws.store.create({ title: 'B', id: 'bd-b', dependencies: ['bd-a'] }, 'alice');
      expect(ws.store.delete(a.id, 'alice')).toEqual({ id: 'bd-a', deleted: true });
      expect(ws.store.get(a.id)).toBeNull();
      expect(ws.store.get(b.id)).not.toHaveProperty('dependencies');
      expect(ws.store.ready().map((r) => r.id)).toEqual(['bd-b']);
      expect(thrown(() => ws.store.delete('bd-a', 'alice'))).toBeInstanceOf(IssueNotFoundError);
    });
  });

  describe('dependencies, ready and blocked', () => {
    it('should not list an issue as ready while an open blocker remains, and list it once the blocker closes', () => {
      const ws = workspace();
      const blocker = ws.store.create({ title: 'Blocker', id: 'bd-1', priority: 1 }, 'alice');
      const blocked = ws.store.create({ title: 'Blocked', id: 'bd-2' }, 'alice');
      ws.store.create({ title: 'Loose', id: 'bd-3', priority: 3 }, 'alice');
      ws.store.addDependency(blocked.id, blocker.id, 'blocks', 'alice');
      expect(ws.store.ready().map((r) => r.id)).toEqual(['bd-1', 'bd-3']);
      expect(ws.store.blocked().map((r) => [r.id, r.blocked_by_count, r.blocked_by])).toEqual([['bd-2', 1, ['bd-1']]]);

      ws.store.update(blocker.id, { status: 'in_progress' }, 'alice');
      expect(ws.store.ready().map((r) => r.id)).toEqual(['bd-3']);
      expect(ws.store.blocked().map((r) => r.id)).toEqual(['bd-2']);

      ws.store.close(blocker.id, 'done', 'alice');
      expect(ws.store.ready().map((r) => r.id)).toEqual(['bd-2', 'bd-3']);
      expect(ws.store.blocked()).toEqual([]);
    });

    it('should list every open blocker of a blocked issue and ignore related links', () => {
      const ws = workspace();
      for (const id of ['bd-1', 'bd-2', 'bd-3', 'bd-4']) ws.store.create({ title: id, id }, 'alice');
      ws.store.addDependency('bd-4', 'bd-2', 'blocks', 'alice');
      ws.store.addDependency('bd-4', 'bd-1', 'blocks', 'alice');
      ws.store.addDependency('bd-3', 'bd-1', 'related', 'alice');
      expect(ws.store.blocked().map((r) => [r.id, r.blocked_by])).toEqual([['bd-4', ['bd-1', 'bd-2']]]);
      expect(ws.store.ready().map((r) => r.id)).toEqual(['bd-1', 'bd-2', 'bd-3']);
      expect(ws.store.stats()).toMatchObject({ total_issues: 4, open_issues: 4, ready_issues: 3, blocked_issues: 1 });
    });

    it('should refuse a dependency cycle, direct or transitive, and a self-dependency', () => {
      const ws = workspace();
      for (const id of ['bd-a', 'bd-b', 'bd-c']) ws.store.create({ title: id, id }, 'alice');
      ws.store.addDependency('bd-a', 'bd-b', 'blocks', 'alice');
      ws.store.addDependency('bd-b', 'bd-c', 'blocks', 'alice');
      const direct = thrown(() => ws.store.addDependency('bd-b', 'bd-a', 'blocks', 'alice'));
      expect(direct).toBeInstanceOf(ValidationError);
      expect(direct.message).toContain('cycle');
      expect(thrown(() => ws.store.addDependency('bd-c', 'bd-a', 'blocks', 'alice')).message).toContain('cycle');
      expect(thrown(() => ws.store.addDependency('bd-a', 'bd-a', 'blocks', 'alice')).message).toContain('itself');
      expect(ws.store.get('bd-c')).not.toHaveProperty('dependencies');
      expect(thrown(() => ws.store.addDependency('bd-a', 'bd-c', 'owns', 'alice')).message).toContain('"owns"');
      expect(thrown(() => ws.store.addDependency('bd-a', 'bd-zz', 'blocks', 'alice'))).toBeInstanceOf(IssueNotFoundError);
    });

    it('should remove a dependency and say so when there is none', () => {
      const ws = workspace();
      for (const id of ['bd-a', 'bd-b']) ws.store.create({ title: id, id }, 'alice');
      ws.store.addDependency('bd-a', 'bd-b', 'blocks', 'alice');
      expect(ws.store.removeDependency('bd-a', 'bd-b', 'alice')).not.toHaveProperty('dependencies');
      expect(ws.store.ready().map((r) => r.id)).toEqual(['bd-a', 'bd-b']);
      expect(thrown(() => ws.store.removeDependency('bd-a', 'bd-b', 'alice')).message).toContain('no dependency on bd-b');
    });
  });

  describe('show', () => {
    it('should give labels, dependency and dependent summaries, and comments', () => {
      const ws = workspace();
      ws.store.create({ title: 'Epic', id: 'bd-e', issue_type: 'epic', priority: 1 }, 'alice');
      ws.store.create({ title: 'Base', id: 'bd-b' }, 'alice');
      ws.store.create({ title: 'Work', id: 'bd-w', labels: ['ui', 'backend'], dependencies: ['bd-b', 'parent-child:bd-e'] }, 'alice');
      ws.store.create({ title: 'After', id: 'bd-x', dependencies: ['bd-w'] }, 'alice');
      ws.store.addComment('bd-w', 'bob', 'Looks <good>');
      const shown = ws.store.show('bd-w');
      expect(shown.labels).toEqual(['ui', 'backend']);
      expect(shown.dependencies).toEqual([
        { id: 'bd-b', title: 'Base', status: 'open', priority: 2, issue_type: 'task', dependency_type: 'blocks' },
        { id: 'bd-e', title: 'Epic', status: 'open', priority: 1, issue_type: 'epic', dependency_type: 'parent-child' },
      ]);
      expect(shown.dependents).toEqual([
        { id: 'bd-x', title: 'After', status: 'open', priority: 2, issue_type: 'task', dependency_type: 'blocks' },
      ]);
      expect(shown.comments).toEqual([{ id: 1, issue_id: 'bd-w', author: 'bob', text: 'Looks <good>', created_at: T0 }]);
      expect(shown.title).toBe('Work');
      expect(thrown(() => ws.store.show('bd-none'))).toBeInstanceOf(IssueNotFoundError);
    });
  });

  describe('labels and comments', () => {
    it('should add and remove labels, ignoring a label already there', () => {
      const ws = workspace();
      const rec = ws.store.create({ title: 'T', labels: ['a'] }, 'alice');
      ws.store.addLabel(rec.id, 'b', 'alice');
      ws.store.addLabel(rec.id, 'a', 'alice');
      expect(ws.store.get(rec.id)!.labels).toEqual(['a', 'b']);
      expect(ws.store.list({ labels: ['b'] }).map((r) => r.id)).toEqual([rec.id]);
      ws.store.removeLabel(rec.id, 'a', 'alice');
      expect(ws.store.get(rec.id)!.labels).toEqual(['b']);
      expect(ws.store.list({ labels: ['a'] })).toEqual([]);
      ws.store.removeLabel(rec.id, 'b', 'alice');
      expect(ws.store.get(rec.id)).not.toHaveProperty('labels');
      expect(thrown(() => ws.store.addLabel(rec.id, '  ', 'alice'))).toBeInstanceOf(ValidationError);
    });

    it('should number comments 1, 2, 3 per issue in order', () => {
      const ws = workspace();
      const rec = ws.store.create({ title: 'T' }, 'alice');
      const c1 = ws.store.addComment(rec.id, 'alice', 'first');
      ws.setTime('2025-06-01T12:00:01.000Z');
      const c2 = ws.store.addComment(rec.id, 'bob', 'second & more');
      const c3 = ws.store.addComment(rec.id, 'alice', 'third');
      expect([c1.id, c2.id, c3.id]).toEqual([1, 2, 3]);
      expect(ws.store.comments(rec.id).map((c) => [c.id, c.author, c.text])).toEqual([
        [1, 'alice', 'first'],
        [2, 'bob', 'second & more'],
        [3, 'alice', 'third'],
      ]);
      expect(c2.created_at).toBe('2025-06-01T12:00:01.000Z');
      expect(ws.store.get(rec.id)!.updated_at).toBe('2025-06-01T12:00:01.000Z');
      expect(thrown(() => ws.store.addComment(rec.id, 'alice', ' '))).toBeInstanceOf(ValidationError);
    });
  });

  describe('list', () => {
    function seed() {
      const ws = workspace();
      const s = ws.store;
      s.create({ title: 'Login crash', id: 'bd-1', issue_type: 'bug', priority: 0, assignee: 'alice', labels: ['ui', 'urgent'] }, 'a');
      s.create({ title: 'Dark mode', id: 'bd-2', issue_type: 'feature', priority: 2, labels: ['ui'] }, 'a');
      s.create({ title: 'Refactor login', id: 'bd-3', priority: 1, assignee: 'bob', labels: ['backend'] }, 'a');
      s.create({ title: 'Docs', id: 'bd-4', priority: 3, issue_type: 'chore' }, 'a');
      s.close('bd-4', 'done', 'a');
      return ws;
    }

    it('should list all but tombstones, ordered by priority', () => {
      const ws = seed();
      expect(ws.store.list().map((r) => r.id)).toEqual(['bd-1', 'bd-3', 'bd-2', 'bd-4']);
    });

    it.each([
      [{ status: 'closed' }, ['bd-4']],
      [{ status: 'open' }, ['bd-1', 'bd-3', 'bd-2']],
      [{ priority: 1 }, ['bd-3']],
      [{ issue_type: 'bug' }, ['bd-1']],
      [{ assignee: 'bob' }, ['bd-3']],
      [{ labels: ['ui'] }, ['bd-1', 'bd-2']],
      [{ labels: ['ui', 'urgent'] }, ['bd-1']],
      [{ labels: ['ui', 'backend'] }, []],
      [{ labels_any: ['urgent', 'backend'] }, ['bd-1', 'bd-3']],
      [{ query: 'LOGIN' }, ['bd-1', 'bd-3']],
      [{ query: 'bd-2' }, ['bd-2']],
      [{ limit: 2 }, ['bd-1', 'bd-3']],
      [{ labels: ['ui'], status: 'open', limit: 1 }, ['bd-1']],
    ])('should filter by %j', (filter, ids) => {
      const ws = seed();
      expect(ws.store.list(filter).map((r) => r.id)).toEqual(ids);
    });

    it('should hide tombstones unless asked for them', () => {
      const ws = workspace();
      ws.writeJsonl([
        issueLine({ id: 'bd-1', title: 'alive' }),
        issueLine({ id: 'bd-2', status: 'tombstone', deleted_at: '2025-01-02T00:00:00Z', delete_reason: 'dup' }),
      ]);
      ws.import();
      expect(ws.store.list().map((r) => r.id)).toEqual(['bd-1']);
      expect(ws.store.list({ status: 'tombstone' }).map((r) => r.id)).toEqual(['bd-2']);
      expect(ws.store.ready().map((r) => r.id)).toEqual(['bd-1']);
      expect(ws.store.stats()).toMatchObject({ total_issues: 1, tombstone_issues: 1 });
    });
  });

  describe('onMutation', () => {
    it('should report each committed write with its op and issue id', () => {
      const ws = workspace();
      const seen: Array<StoreMutation & { title: unknown }> = [];
      const off = ws.store.onMutation((m) => seen.push({ ...m, title: ws.store.get(m.id)?.title }));
      const a = ws.store.create({ title: 'A', id: 'bd-a' }, 'alice');
      ws.store.create({ title: 'B', id: 'bd-b' }, 'alice');
      ws.store.update(a.id, { title: 'A2' }, 'alice');
      ws.store.addLabel(a.id, 'x', 'alice');
      ws.store.addLabel(a.id, 'x', 'alice'); // no change: no event
      ws.store.removeLabel(a.id, 'x', 'alice');
      ws.store.addComment(a.id, 'alice', 'hi');
      ws.store.addDependency('bd-b', a.id, 'blocks', 'alice');
      ws.store.removeDependency('bd-b', a.id, 'alice');
      ws.store.close(a.id, undefined, 'alice');
      ws.store.reopen(a.id, 'alice');
      ws.store.addDependency('bd-b', a.id, 'blocks', 'alice');
      ws.store.delete(a.id, 'alice');
      expect(() => ws.store.update(a.id, { title: 'gone' }, 'alice')).toThrow(IssueNotFoundError);
      off();
      ws.store.create({ title: 'C' }, 'alice');
      expect(seen.map((m) => [m.op, m.id, m.title])).toEqual([
        ['create', 'bd-a', 'A'],
        ['create', 'bd-b', 'B'],
        ['update', 'bd-a', 'A2'],
        ['label_add', 'bd-a', 'A2'],
        ['label_remove', 'bd-a', 'A2'],
        ['comment_add', 'bd-a', 'A2'],
        ['dep_add', 'bd-b', 'B'],
        ['dep_remove', 'bd-b', 'B'],
        ['close', 'bd-a', 'A2'],
        ['reopen', 'bd-a', 'A2'],
        ['dep_add', 'bd-b', 'B'],
        ['delete', 'bd-a', undefined],
        ['update', 'bd-b', 'B'],
      ]);
      expect(seen.every((m) => m.at === Date.parse(T0))).toBe(true);
    });

    it('should not report a write that was refused', () => {
      const ws = workspace();
      const seen: StoreMutation[] = [];
      ws.store.onMutation((m) => seen.push(m));
      expect(() => ws.store.create({ title: 'x', priority: 5 }, 'alice')).toThrow(ValidationError);
      expect(seen).toEqual([]);
    });
  });

  describe('persistence', () => {
    it('should keep everything in the SQLite file across reopening', () => {
      const ws = workspace();
      const rec = ws.store.create({ title: 'Persist <me>', labels: ['l'] }, 'alice');
      ws.store.addComment(rec.id, 'bob', 'c');
      const before = ws.store.show(rec.id);
      const line = ws.store.getRow(rec.id)!.line;
      ws.reopen();
      expect(ws.store.show(rec.id)).toEqual(before);
      expect(ws.store.getRow(rec.id)!.line).toBe(line);
      expect(serializeRecord(ws.store.get(rec.id) as IssueRecord)).toBe(line);
    });
  });
});
