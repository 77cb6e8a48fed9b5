import { JsonlLineError } from '../../src/jsonl/jsonl-errors';
import { mergeJsonl } from '../../src/merge/merge-policy';
import { file, line, merge } from './merge-helpers';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-02-01T00:00:00Z';
const T2 = '2025-03-01T00:00:00Z';

describe('mergeJsonl', () => {
  describe('one issue changed on one side', () => {
    it('should take the changed side, byte for byte', () => {
      const base = file(line('a'), line('b'));
      const edited = '{"id":"a", "title":"spaced out","updated_at":"2025-02-01T00:00:00Z"}';
      const r = merge(base, file(edited, line('b')), base);
      expect(r.text).toBe(file(edited, line('b')));
      expect(r.report.merged).toEqual([]);
    });

    it('should keep a change made the same way on both sides once', () => {
      const base = file(line('a'));
      const both = file(line('a', { title: 'same', updated_at: T1 }));
      expect(merge(base, both, both).text).toBe(both);
    });
  });

  describe('scalar fields changed on both sides', () => {
    it('should keep both edits when they touch different fields', () => {
      const base = file(line('a'));
      const ours = file(line('a', { title: 'new title', updated_at: T1 }));
      const theirs = file(line('a', { priority: 0, updated_at: T2 }));
      const r = merge(base, ours, theirs);
      expect(r.records[0]).toMatchObject({ title: 'new title', priority: 0, updated_at: T2 });
      expect(r.report.merged).toEqual(['a']);
      expect(r.report.resolved_by_time).toBe(0);
    });

    it('should give a field both sides changed to the side with the newer updated_at', () => {
      const base = file(line('a'));
      const ours = file(line('a', { title: 'older', updated_at: T1 }));
      const theirs = file(line('a', { title: 'newer', priority: 1, updated_at: T2 }));
      const r = merge(base, ours, theirs);
      expect(r.records[0].title).toBe('newer');
      expect(r.report.resolved_by_time).toBe(1);
      expect(r.text).toBe(theirs); // the merge came out equal to theirs: theirs' exact line
    });

    it('should break a tie of equal updated_at the same way whichever side is ours', () => {
      const base = file(line('a'));
      const x = file(line('a', { title: 'x', assignee: 'ann', updated_at: T1 }));
      const y = file(line('a', { title: 'y', priority: 0, updated_at: T1 }));
      const r = merge(base, x, y); // merge() itself asserts the swapped merge is byte-identical
      expect(['x', 'y']).toContain(r.records[0].title);
      expect(r.records[0]).toMatchObject({ assignee: 'ann', priority: 0 });
      expect(r.report.resolved_by_time).toBe(1);
    });

    it('should set updated_at to the later of the two', () => {
      const base = file(line('a'));
      const r = merge(base, file(line('a', { title: 't', updated_at: '2025-02-01T08:00:00+09:00' })), file(line('a', { priority: 4, updated_at: '2025-01-31T23:30:00Z' })));
      expect(r.records[0].updated_at).toBe('2025-01-31T23:30:00Z');
    });
  });

  describe('fields that move together', () => {
    it('should take status, closed_at and close_reason from one side', () => {
      const base = file(line('a'));
      const closed = file(line('a', { status: 'closed', closed_at: T1, close_reason: 'done', updated_at: T1 }));
      const started = file(line('a', { status: 'in_progress', updated_at: T2 }));
      const r = merge(base, closed, started);
      expect(r.records[0].status).toBe('in_progress');
      expect(r.records[0]).not.toHaveProperty('closed_at');
      expect(r.records[0]).not.toHaveProperty('close_reason');
    });

    it('should keep a close reason changed on one side when only it changed there', () => {
      const base = file(line('a', { status: 'closed', closed_at: T0, close_reason: 'done' }));
      const ours = file(line('a', { status: 'closed', closed_at: T0, close_reason: 'fixed in 3f2a', updated_at: T1 }));
      const theirs = file(line('a', { status: 'closed', closed_at: T0, close_reason: 'done', title: 'renamed', updated_at: T2 }));
      const r = merge(base, ours, theirs);
      expect(r.records[0]).toMatchObject({ close_reason: 'fixed in 3f2a', title: 'renamed', status: 'closed' });
    });
  });

  describe('labels, dependencies and comments', () => {
    it('should apply a label added on one side and one removed on the other', () => {
      const base = file(line('a', { labels: ['ui', 'web'] }));
      const ours = file(line('a', { labels: ['ui', 'web', 'urgent'], updated_at: T1 }));
      const theirs = file(line('a', { labels: ['ui'], updated_at: T2 }));
      expect(merge(base, ours, theirs).records[0].labels.sort()).toEqual(['ui', 'urgent']);
    });

    it('should never write a label twice', () => {
      const base = file(line('a'));
      const r = merge(base, file(line('a', { labels: ['x', 'y'], updated_at: T1 })), file(line('a', { labels: ['y', 'x', 'z'], updated_at: T2 })));
      expect(r.records[0].labels).toEqual(['y', 'x', 'z']);
    });

    it('should omit labels that both sides removed between them', () => {
      const base = file(line('a', { labels: ['x', 'y'] }));
      const r = merge(base, file(line('a', { labels: ['x'], updated_at: T1 })), file(line('a', { labels: ['y'], updated_at: T2 })));
      expect(r.records[0]).not.toHaveProperty('labels');
    });

    it('should key dependencies by target and type', () => {
      const dep = (to: string, type = 'blocks') => ({ issue_id: 'a', depends_on_id: to, type, created_at: T0 });
      const base = file(line('a', { dependencies: [dep('b')] }));
      const ours = file(line('a', { dependencies: [dep('b'), dep('c', 'related')], updated_at: T1 }));
      const theirs = file(line('a', { dependencies: [dep('b', 'related')], updated_at: T2 }));
      const deps = merge(base, ours, theirs).records[0].dependencies;
      expect(deps).toEqual([dep('b', 'related'), dep('c', 'related')]);
    });

    it('should keep both comments two clones added under the same new id, renumbering the later', () => {
      const c = (id: number, text: string, at: string) => ({ id, issue_id: 'a', author: 'ann', text, created_at: at });
      const base = file(line('a', { comments: [c(1, 'first', T0)] }));
      const ours = file(line('a', { comments: [c(1, 'first', T0), c(2, 'from A', T2)], updated_at: T2 }));
      const theirs = file(line('a', { comments: [c(1, 'first', T0), c(2, 'from B', T1)], updated_at: T1 }));
      const r = merge(base, ours, theirs);
      expect(r.records[0].comments).toEqual([c(1, 'first', T0), c(2, 'from B', T1), c(3, 'from A', T2)]);
      expect(r.report.renumbered_comments).toBe(1);
    });
  });

  describe('deletions', () => {
    it('should delete an issue deleted on one side and unchanged on the other', () => {
      const base = file(line('a'), line('b'));
      const r = merge(base, file(line('b')), base);
      expect(r.text).toBe(file(line('b')));
      expect(r.report.deleted).toEqual(['a']);
    });

    it('should keep the edit of an issue the other side deleted, and report it', () => {
      const base = file(line('a'), line('b'));
      const edited = line('a', { title: 'still needed', updated_at: T1 });
      const r = merge(base, file(line('b')), file(edited, line('b')));
      expect(r.text).toBe(file(edited, line('b')));
      expect(r.report.kept_over_delete).toEqual(['a']);
    });

    it('should let a tombstone newer than the live edit win', () => {
      const base = file(line('a'));
      const tomb = file(line('a', { status: 'tombstone', deleted_at: T2, deleted_by: 'ann', delete_reason: 'dup', original_type: 'task', updated_at: T2 }));
      const edit = file(line('a', { title: 'edited', updated_at: T1 }));
      const r = merge(base, tomb, edit);
      expect(r.records[0]).toMatchObject({ status: 'tombstone', deleted_at: T2, deleted_by: 'ann', title: 'edited' });
    });

    it('should let a live edit newer than the tombstone win, dropping every tombstone field', () => {
      const base = file(line('a'));
      const tomb = file(line('a', { status: 'tombstone', deleted_at: T1, deleted_by: 'ann', delete_reason: 'dup', original_type: 'task', updated_at: T1 }));
      const edit = file(line('a', { title: 'edited', updated_at: T2 }));
      const r = merge(base, tomb, edit);
      expect(r.text).toBe(edit);
    });
  });

  describe('added on both sides', () => {
    it('should merge the fields of two different records under one id against an empty base', () => {
      const ours = file(line('a', { title: 'A title', assignee: 'ann', updated_at: T1 }));
      const theirs = file(line('a', { title: 'B title', labels: ['x'], updated_at: T2 }));
      const r = merge('', ours, theirs);
      expect(r.records).toEqual([expect.objectContaining({ title: 'B title', assignee: 'ann', labels: ['x'] })]);
      expect(r.report.resolved_by_time).toBe(1);
    });
  });

  describe('bytes and order', () => {
    it('should keep fields bd-rx does not know, from either side', () => {
      const base = file(line('a'));
      const ours = file(line('a', { ephemeral: true, await_type: 'gh:pr', updated_at: T1 }));
      const theirs = file(line('a', { x_custom: { deep: [1, 2] }, title: 'new', updated_at: T2 }));
      expect(merge(base, ours, theirs).records[0]).toMatchObject({ ephemeral: true, await_type: 'gh:pr', x_custom: { deep: [1, 2] }, title: 'new' });
    });

    it('should keep the newer side key order with the older side keys appended, in bd byte style', () => {
      const base = '{"id":"a","title":"t","status":"open","updated_at":"2025-01-01T00:00:00Z"}\n';
      const ours = '{"id":"a","title":"t","status":"open","updated_at":"2025-02-01T00:00:00Z","zeta":"<&>"}\n';
      const theirs = '{"updated_at":"2025-03-01T00:00:00Z","id":"a","status":"open","title":"T2","alpha":1}\n';
      const r = merge(base, ours, theirs);
      expect(r.text).toBe('{"updated_at":"2025-03-01T00:00:00Z","id":"a","status":"open","title":"T2","alpha":1,"zeta":"\\u003c\\u0026\\u003e"}\n');
    });

    it('should sort by id in UTF-8 byte order', () => {
      const ids = ['b-\uffff', 'b-😀', 'a-2', 'a-10', 'B-1'];
      const r = merge('', file(...ids.slice(0, 3).map((i) => line(i))), file(...ids.slice(3).map((i) => line(i))));
      expect(r.records.map((x) => x.id)).toEqual(['B-1', 'a-10', 'a-2', 'b-\uffff', 'b-😀']);
    });

    it('should write one line for an id an input holds twice, the newest one', () => {
      const r = merge('', file(line('a', { title: 'old' }), line('a', { title: 'new', updated_at: T1 })), '');
      expect(r.records).toEqual([expect.objectContaining({ id: 'a', title: 'new' })]);
      expect(r.report.duplicates).toEqual([{ input: 'ours', id: 'a', lines: [1, 2] }]);
    });

    it('should accept CRLF line ends and blank lines, writing LF', () => {
      const r = merge('', `${line('a')}\r\n\r\n${line('b')}\r\n`, '');
      expect(r.text).toBe(file(line('a'), line('b')));
    });
  });

  describe('inputs that are not JSONL', () => {
    it('should refuse conflict markers, naming the file and line', () => {
      const bad = `${line('a')}\n<<<<<<< HEAD\n${line('b')}\n=======\n`;
      expect(() => mergeJsonl({ base: '', ours: bad, theirs: '', names: { ours: '.merge_file_x' } })).toThrow(
        expect.objectContaining({ name: 'JsonlLineError', file: '.merge_file_x', line: 2, reason: 'conflict-marker' }),
      );
    });

    it('should refuse a line that is not JSON', () => {
      let err: unknown;
      try {
        mergeJsonl({ base: file(line('a')), ours: '', theirs: '{"id":"a",\n' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(JsonlLineError);
      expect((err as JsonlLineError).line).toBe(1);
    });
  });
});
