import { dependencyTypeOption, editableFieldArgs, editableFieldOptions, issueTypeOption, statusOption } from '../../src/cli/commands/issue-options';
import { parseArgs } from '../../src/rpc/parse-request';
import { freshRecord } from '../../src/store/issue-record';
import {
  DEFAULT_DEPENDENCY_TYPE,
  DEFAULT_ISSUE_TYPE,
  DEPENDENCY_TYPES,
  EDITABLE_FIELDS,
  ISSUE_FIELDS,
  ISSUE_STATUSES,
  ISSUE_TYPES,
  PRIORITY,
} from '../../src/store/issue-rules';
import { ValidationError } from '../../src/store/store-errors';
import { issueLine, useTempWorkspaces } from '../helpers/temp-workspace';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

const argsError = (operation: string, args: unknown): string | undefined => {
  const r = parseArgs(operation, args);
  return r.ok ? undefined : r.error;
};

describe('issue rules', () => {
  const workspace = useTempWorkspaces();

  describe('statuses', () => {
    it('should be accepted by the store and the RPC schema alike, and nothing else', () => {
      const ws = workspace();
      const { id } = ws.store.create({ title: 'Moves through every status' }, 'tester');
      for (const status of ISSUE_STATUSES) {
        expect(ws.store.update(id, { status }, 'tester').status).toBe(status);
        expect(argsError('update', { id, status })).toBeUndefined();
        expect(argsError('list', { status })).toBeUndefined();
      }
      const err = thrown(() => ws.store.update(id, { status: 'done' }, 'tester'));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toBe(`status "done" is not one of ${ISSUE_STATUSES.join(', ')}`);
      expect(argsError('update', { id, status: 'done' })).toBe(
        `invalid args for update: status: expected one of ${ISSUE_STATUSES.join('|')}, got "done"`,
      );
    });

    it('should be the ones the CLI lists for --status', () => {
      expect(statusOption.describe).toBe(ISSUE_STATUSES.join('|'));
    });
  });

  describe('issue types', () => {
    it('should be accepted by the store and the RPC schema alike, with the same default', () => {
      const ws = workspace();
      for (const issue_type of ISSUE_TYPES) {
        expect(ws.store.create({ title: `A ${issue_type}`, issue_type }, 'tester').issue_type).toBe(issue_type);
        expect(argsError('create', { title: 'x', issue_type })).toBeUndefined();
      }
      expect(ws.store.create({ title: 'No type given' }, 'tester').issue_type).toBe(DEFAULT_ISSUE_TYPE);
      expect(thrown(() => ws.store.create({ title: 'x', issue_type: 'story' }, 'tester')).message).toBe(
        `issue type "story" is not one of ${ISSUE_TYPES.join(', ')}`,
      );
      expect(argsError('create', { title: 'x', issue_type: 'story' })).toBe(
        `invalid args for create: issue_type: expected one of ${ISSUE_TYPES.join('|')}, got "story"`,
      );
    });

    it('should be the ones the CLI lists for --type, with the store default', () => {
      expect(issueTypeOption(true)).toMatchObject({ describe: ISSUE_TYPES.join('|'), default: DEFAULT_ISSUE_TYPE });
      expect(issueTypeOption(false)).not.toHaveProperty('default');
    });
  });

  describe('priority range', () => {
    it('should be the same range in the store and the RPC schema, ends included', () => {
      const ws = workspace();
      for (const priority of [PRIORITY.min, PRIORITY.max]) {
        expect(ws.store.create({ title: `P${priority}`, priority }, 'tester').priority).toBe(priority);
        expect(argsError('create', { title: 'x', priority })).toBeUndefined();
      }
      expect(ws.store.create({ title: 'Default priority' }, 'tester').priority).toBe(PRIORITY.default);
      for (const priority of [PRIORITY.min - 1, PRIORITY.max + 1, 1.5]) {
        expect(thrown(() => ws.store.create({ title: 'x', priority }, 'tester')).message).toBe(
          `priority ${priority} is not an integer from ${PRIORITY.min} (highest) to ${PRIORITY.max}`,
        );
        expect(argsError('create', { title: 'x', priority })).toBe(
          `invalid args for create: priority: expected an integer ${PRIORITY.min}-${PRIORITY.max}, got ${priority}`,
        );
      }
    });

    it('should count a file record outside the range as unusual on import, and none inside it', () => {
      const ws = workspace();
      ws.writeJsonl([
        issueLine({ id: 'bd-lo', priority: PRIORITY.min }),
        issueLine({ id: 'bd-hi', priority: PRIORITY.max }),
        issueLine({ id: 'bd-out', priority: PRIORITY.max + 1 }),
      ]);
      expect(ws.import().warnings).toEqual({ unknown_status: 0, unknown_type: 0, unusual_priority: 1, future_timestamp: 0, bad_timestamp: 0 });
    });
  });

  describe('dependency types', () => {
    it('should be accepted by the store and the RPC schema alike, with the same default', () => {
      const ws = workspace();
      const target = ws.store.create({ title: 'Target' }, 'tester').id;
      for (const type of DEPENDENCY_TYPES) {
        const from = ws.store.create({ title: `Depends (${type})` }, 'tester').id;
        expect(ws.store.addDependency(from, target, type, 'tester').dependencies).toEqual([
          expect.objectContaining({ depends_on_id: target, type }),
        ]);
        expect(ws.store.create({ title: `Created with ${type}`, dependencies: [`${type}:${target}`] }, 't').dependencies).toEqual([
          expect.objectContaining({ type }),
        ]);
        expect(argsError('dep_add', { from_id: from, to_id: target, dep_type: type })).toBeUndefined();
        expect(argsError('create', { title: 'x', dependencies: [`${type}:${target}`] })).toBeUndefined();
      }
      const byDefault = ws.store.create({ title: 'Default type', dependencies: [target] }, 'tester');
      expect(byDefault.dependencies).toEqual([expect.objectContaining({ type: DEFAULT_DEPENDENCY_TYPE })]);
      expect(parseArgs('dep_add', { from_id: 'bd-1', to_id: 'bd-2' })).toEqual({
        ok: true,
        value: { from_id: 'bd-1', to_id: 'bd-2', dep_type: DEFAULT_DEPENDENCY_TYPE },
      });
      expect(thrown(() => ws.store.addDependency(byDefault.id, target, 'duplicates', 'tester')).message).toBe(
        `dependency type "duplicates" is not one of ${DEPENDENCY_TYPES.join(', ')}`,
      );
      expect(argsError('dep_add', { from_id: 'bd-1', to_id: 'bd-2', dep_type: 'duplicates' })).toBe(
        `invalid args for dep_add: dep_type: expected one of ${DEPENDENCY_TYPES.join('|')}, got "duplicates"`,
      );
    });

    it('should be the ones the CLI lists for dep add --type, with the same default', () => {
      expect(dependencyTypeOption).toMatchObject({ describe: DEPENDENCY_TYPES.join('|'), default: DEFAULT_DEPENDENCY_TYPE });
    });
  });

  describe('field list', () => {
    it('should give a fresh record its keys in the list order, whatever order they are passed in', () => {
      const fields = Object.fromEntries([...ISSUE_FIELDS].reverse().map((k) => [k, k === 'labels' ? ['l'] : `${k}-value`]));
      expect(Object.keys(freshRecord({ ...fields, id: 'bd-1' }))).toEqual([...ISSUE_FIELDS]);
    });

    it('should give every editable field one CLI flag that maps back to it', () => {
      const flags = Object.keys(editableFieldOptions());
      expect(flags).toHaveLength(EDITABLE_FIELDS.length);
      const argv = Object.fromEntries(flags.map((flag, i) => [flag, `value ${i}`]));
      expect(Object.keys(editableFieldArgs(argv)).sort()).toEqual([...EDITABLE_FIELDS].sort());
      expect(editableFieldArgs({})).toEqual({});
    });

    it('should let create and update set each editable field, and the RPC schemas accept it', () => {
      const ws = workspace();
      const value = (field: string) => (field === 'priority' ? 1 : field === 'estimated_minutes' ? 30 : `${field} text`);
      const input = Object.fromEntries(EDITABLE_FIELDS.map((f) => [f, value(f)]));
      const created = ws.store.create({ title: 'Every field', ...input }, 'tester');
      expect(created).toMatchObject(input);
      expect(parseArgs('create', { title: 'x', ...input })).toEqual({ ok: true, value: { title: 'x', ...input } });
      const changed = Object.fromEntries(EDITABLE_FIELDS.map((f) => [f, f === 'priority' ? 3 : f === 'estimated_minutes' ? 45 : `${f} new`]));
      expect(ws.store.update(created.id, changed, 'tester')).toMatchObject(changed);
      expect(parseArgs('update', { id: created.id, ...changed })).toEqual({ ok: true, value: { id: created.id, ...changed } });
    });
  });
});
