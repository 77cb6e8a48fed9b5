import { useTempWorkspaces } from '../helpers/temp-workspace';

/** The fixed clock of a TempWorkspace: every local change is stamped with it. */
const T0 = '2025-06-01T12:00:00.000Z';

describe('BeadsStore actor recording', () => {
  const workspace = useTempWorkspaces();

  /** A target, an issue created blocked by it (alice), a related link (bob), a comment (carol). */
  function recorded() {
    const ws = workspace();
    ws.store.create({ title: 'Target', id: 'bd-target' }, 'alice');
    ws.store.create({ title: 'Blocked', id: 'bd-blocked', dependencies: ['bd-target'] }, 'alice');
    ws.store.addDependency('bd-blocked', 'bd-target', 'related', 'bob');
    ws.store.addComment('bd-target', 'carol', 'Looks good');
    return ws;
  }

  it('should record the creator as created_by, and each dependency creator as its created_by, in the DB', () => {
    const ws = recorded();
    expect(ws.store.get('bd-target')).toMatchObject({ created_by: 'alice' });
    expect(ws.store.get('bd-blocked')).toMatchObject({
      created_by: 'alice',
      dependencies: [
        { issue_id: 'bd-blocked', depends_on_id: 'bd-target', type: 'blocks', created_at: T0, created_by: 'alice' },
        { issue_id: 'bd-blocked', depends_on_id: 'bd-target', type: 'related', created_at: T0, created_by: 'bob' },
      ],
    });
    expect(ws.store.comments('bd-target')).toEqual([
      { id: 1, issue_id: 'bd-target', author: 'carol', text: 'Looks good', created_at: T0 },
    ]);
  });

  it("should export them in bd's key order (Issue, Dependency and Comment structs), byte for byte", () => {
    const ws = recorded();
    ws.export();
    expect(ws.readJsonl()).toBe(
      [
        '{"id":"bd-blocked","title":"Blocked","status":"open","priority":2,"issue_type":"task",' +
          `"created_at":"${T0}","created_by":"alice","updated_at":"${T0}",` +
          `"dependencies":[{"issue_id":"bd-blocked","depends_on_id":"bd-target","type":"blocks","created_at":"${T0}","created_by":"alice"},` +
          `{"issue_id":"bd-blocked","depends_on_id":"bd-target","type":"related","created_at":"${T0}","created_by":"bob"}]}`,
        '{"id":"bd-target","title":"Target","status":"open","priority":2,"issue_type":"task",' +
          `"created_at":"${T0}","created_by":"alice","updated_at":"${T0}",` +
          `"comments":[{"id":1,"issue_id":"bd-target","author":"carol","text":"Looks good","created_at":"${T0}"}]}`,
        '',
      ].join('\n'),
    );
  });

  it('should keep what it recorded through an export, an emptied DB and a forced import', () => {
    const ws = recorded();
    ws.export();
    const exported = ws.readJsonl();
    ws.clearDb();
    ws.import({ force: true });
    expect(ws.store.get('bd-blocked')!.dependencies).toEqual([
      expect.objectContaining({ type: 'blocks', created_by: 'alice' }),
      expect.objectContaining({ type: 'related', created_by: 'bob' }),
    ]);
    ws.export({ force: true });
    expect(ws.readJsonl()).toBe(exported);
  });

  it('should omit created_by when no actor is named, as bd omits an empty one', () => {
    const ws = workspace();
    ws.store.create({ title: 'Target', id: 'bd-target' }, 'alice');
    ws.store.create({ title: 'Anonymous', id: 'bd-anon', dependencies: ['bd-target'] }, '');
    ws.store.addDependency('bd-anon', 'bd-target', 'related', '');
    const anon = ws.store.get('bd-anon')!;
    expect(anon).not.toHaveProperty('created_by');
    expect(anon.dependencies).toEqual([
      { issue_id: 'bd-anon', depends_on_id: 'bd-target', type: 'blocks', created_at: T0 },
      { issue_id: 'bd-anon', depends_on_id: 'bd-target', type: 'related', created_at: T0 },
    ]);
  });

  it('should leave created_by as it was when someone else changes the issue later', () => {
    const ws = recorded();
    ws.store.update('bd-target', { title: 'Target, renamed' }, 'dave');
    ws.store.close('bd-target', 'Done', 'dave');
    expect(ws.store.get('bd-target')).toMatchObject({ title: 'Target, renamed', status: 'closed', created_by: 'alice' });
  });
});
