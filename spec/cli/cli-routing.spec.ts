import * as fs from 'node:fs';
import type { LoggedEvent } from '../../src/events/daemon-event';
import { type DaemonProcess, readDbIssues, useDaemons, type Workspace } from '../helpers/daemon-process';
import { type CliRun, cliOk, jsonlIds, socketOf, WAIT, waitForJsonlIds, withClient } from '../helpers/real-daemon';
import { issueLine } from '../helpers/temp-workspace';

/**
 * Every data command, run the same way on two identically prepared workspaces: one with a daemon
 * running (the CLI routes through it), one with `--no-daemon` (direct mode). The `--json` output
 * must be the same apart from generated ids and timestamps; and the daemon route must really have
 * gone through the daemon (each write is a `store/mutated` in its log and in `get_mutations`).
 */

jest.setTimeout(180_000);

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Timestamps and durations become placeholders; `gen` (a generated id) becomes `<gen>`. */
function normalise(value: unknown, gen: string): unknown {
  if (typeof value === 'string') {
    if (ISO_TIME.test(value)) return '<time>';
    return value.split(gen).join('<gen>');
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, gen));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'ms' && typeof v === 'number' ? '<ms>' : normalise(v, gen)]),
    );
  }
  return value;
}

/** Every key path of a JSON value, so "same keys" is checked at every depth. */
function keyPaths(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${at}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [`${at}.${k}`, ...keyPaths(v, `${at}.${k}`)]);
  }
  return [];
}

interface Step {
  /** The command's words; GEN stands for the generated id of that workspace. */
  args: string[];
  /** The store writes it must cause, as `op id` (GEN allowed). */
  writes?: string[];
  /** bd prints nothing for it, even under --json (`export -o FILE`). */
  silent?: boolean;
}

const GEN = '<GEN>';

const STEPS: Step[] = [
  {
    args: ['create', 'Root issue', '--id', 't-root', '-p', '1', '-t', 'feature', '-d', 'Root <description> & more', '-a', 'alice',
      '-l', 'x,y', '--design', 'D', '--acceptance', 'A', '--notes', 'N', '--external-ref', 'gh-1', '-e', '30'],
    writes: ['create t-root'],
  },
  { args: ['create', 'Child issue', '--id', 't-child', '--deps', 't-root'], writes: ['create t-child'] },
  { args: ['create', 'Generated id', '-l', 'z'], writes: [`create ${GEN}`] },
  { args: ['list'] },
  { args: ['list', '--status', 'open'] },
  { args: ['list', '-p', '1'] },
  { args: ['list', '-t', 'feature'] },
  { args: ['list', '-a', 'alice'] },
  { args: ['list', '-l', 'x'] },
  { args: ['list', '--label-any', 'y,z'] },
  // bd's -q is the global --quiet: bd's list filters text with --title.
  { args: ['list', '--title', 'child'] },
  { args: ['list', '-n', '1'] },
  { args: ['show', 't-root', 't-child'] },
  { args: ['update', 't-child', '--status', 'in_progress', '--add-label', 'q'], writes: ['update t-child'] },
  { args: ['update', 't-child', '--remove-label', 'q', '-p', '0', '--title', 'Child renamed'], writes: ['update t-child'] },
  { args: ['dep', 'add', GEN, 't-root', '--type', 'related'], writes: [`dep_add ${GEN}`] },
  { args: ['show', GEN] },
  { args: ['dep', 'remove', GEN, 't-root'], writes: [`dep_remove ${GEN}`] },
  { args: ['label', 'add', 't-root', 'w'], writes: ['label_add t-root'] },
  { args: ['label', 'remove', 't-root', 'w'], writes: ['label_remove t-root'] },
  { args: ['comments', 'add', 't-root', 'Looks good', '--author', 'bob'], writes: ['comment_add t-root'] },
  { args: ['comments', 't-root'] },
  { args: ['ready'] },
  { args: ['blocked'] },
  { args: ['stats'] },
  { args: ['close', 't-root', '-r', 'Done'], writes: ['close t-root'] },
  { args: ['blocked'] },
  { args: ['reopen', 't-root'], writes: ['reopen t-root'] },
  // Without --force bd previews (text, no JSON).
  { args: ['delete', GEN, '--force'], writes: [`delete ${GEN}`] },
  { args: ['list', '--status', 'tombstone'] },
  { args: ['stats'] },
  { args: ['export', '-o', '.beads/issues.jsonl'], silent: true },
  { args: ['import'] },
];

describe('CLI routing (a running daemon vs --no-daemon)', () => {
  const { workspace, start } = useDaemons();

  /** Waits until the daemon has exported every write so far and handled the rename it caused. */
  async function daemonIdle(d: DaemonProcess, from: number): Promise<void> {
    const exported = await d.waitForEvent('export/done', WAIT, from);
    await d.waitForEvent((e) => e.type === 'import/skipped' && e.reason === 'own-write', WAIT, d.events.indexOf(exported));
  }

  it('should print the same --json for every data command either way, the daemon route going through the daemon', async () => {
    const viaDaemon = workspace();
    const direct = workspace();
    const d = start({ cwd: viaDaemon.root, args: ['--debounce-ms', '100'] });
    await d.waitUntilWatching();
    const gens: Record<'daemon' | 'direct', string> = { daemon: GEN, direct: GEN };
    const fill = (args: string[], gen: string) => args.map((a) => (a === GEN ? gen : a));
    const since = Date.now() - 1;

    let mutationsFrom = d.mark();
    for (const step of STEPS) {
      const command = step.args[0];
      if (command === 'export' || command === 'import') await daemonIdle(d, mutationsFrom);
      const from = d.mark();
      const a: CliRun = await cliOk([...fill(step.args, gens.daemon), '--json'], { cwd: viaDaemon.root });
      const b: CliRun = await cliOk(['--no-daemon', ...fill(step.args, gens.direct), '--json'], { cwd: direct.root });
      if (step.args[1] === 'Generated id') {
        gens.daemon = a.json.id;
        gens.direct = b.json.id;
        expect(gens.daemon).toMatch(/^t-[0-9a-z]+$/);
      }
      const label = `bd-rx ${step.args.join(' ')}`;
      if (step.silent) {
        expect({ label, a: a.stdout, b: b.stdout }).toEqual({ label, a: '', b: '' });
      } else {
        expect(a.json).toBeDefined();
        expect({ label, keys: keyPaths(a.json) }).toEqual({ label, keys: keyPaths(b.json) });
        expect({ label, json: normalise(a.json, gens.daemon) }).toEqual({ label, json: normalise(b.json, gens.direct) });
      }
      // (export -o reports on stderr, naming its own workspace's file.)
      expect(a.stderr.split(viaDaemon.root).join('<WS>')).toBe(b.stderr.split(direct.root).join('<WS>'));

      // The daemon route went through the daemon: exactly its writes are in the daemon's log.
      const writes = (step.writes ?? []).map((w) => w.replace(GEN, gens.daemon));
      if (writes.length > 0) {
        await d.waitForEvent((e) => e.type === 'store/mutated' && `${e.op} ${e.id}` === writes[writes.length - 1], WAIT, from);
        mutationsFrom = from;
      }
      const mutated = d.all('store/mutated', from) as Array<Extract<LoggedEvent, { type: 'store/mutated' }>>;
      expect({ label, writes: mutated.map((e) => `${e.op} ${e.id}`) }).toEqual({ label, writes });
    }

    // The same writes, as the daemon's get_mutations reports them.
    const expected = STEPS.flatMap((s) => s.writes ?? []).map((w) => w.replace(GEN, gens.daemon));
    const recorded = await withClient(viaDaemon, async (c) =>
      ((await c.request('get_mutations', { since })) as Array<{ Type: string; IssueID: string }>).map((m) => `${m.Type} ${m.IssueID}`),
    );
    expect(recorded).toEqual(expected);

    // Both workspaces end in the same state, in the DB and in the JSONL.
    await waitForJsonlIds(viaDaemon.jsonlPath, ['t-child', 't-root']);
    expect(jsonlIds(viaDaemon.jsonlPath)).toEqual(jsonlIds(direct.jsonlPath));
    const rows = (ws: Workspace, gen: string) => readDbIssues(ws.dbPath).map((r) => ({ ...r, id: r.id === gen ? '<gen>' : r.id }));
    expect(rows(viaDaemon, gens.daemon)).toEqual(rows(direct, gens.direct));
    // The direct workspace never had a daemon.
    expect(fs.existsSync(socketOf(direct))).toBe(false);
  });

  it("should print export and import as text through the daemon as direct mode does (from the lane's result events)", async () => {
    const viaDaemon = workspace();
    const direct = workspace();
    const d = start({ cwd: viaDaemon.root, args: ['--debounce-ms', '100'] });
    await d.waitUntilWatching();
    const from = d.mark();
    await cliOk(['create', 'One', '--id', 't-1'], { cwd: viaDaemon.root });
    await cliOk(['--no-daemon', 'create', 'One', '--id', 't-1'], { cwd: direct.root });
    await daemonIdle(d, from);

    const text = async (args: string[]) => {
      const a = await cliOk(args, { cwd: viaDaemon.root });
      const b = await cliOk(['--no-daemon', ...args], { cwd: direct.root });
      return [a, b].map((r) => `${r.stdout.split(viaDaemon.root).join('<ws>').split(direct.root).join('<ws>')}|${r.stderr}`);
    };
    const [exportA, exportB] = await text(['export', '-o', '.beads/issues.jsonl']);
    expect(exportA).toBe('Nothing to export: <ws>/.beads/issues.jsonl is already current.\n|');
    expect(exportA).toBe(exportB);
    const [importA, importB] = await text(['import']);
    expect(importA).toBe('Nothing to import: <ws>/.beads/issues.jsonl is unchanged.\n|');
    expect(importA).toBe(importB);

    // With something to do: the counts come from the lane's event.
    const exported = d.mark();
    await cliOk(['update', 't-1', '--title', 'Renamed'], { cwd: viaDaemon.root });
    const r = await cliOk(['export', '-o', '.beads/issues.jsonl'], { cwd: viaDaemon.root });
    expect(r.stdout).toMatch(/^(✓ Exported 1 issues \(\d+ bytes\) to .+ in [\d.]+ ms|Nothing to export: .+ is already current\.)\n$/);
    await d.waitForEvent('export/done', WAIT, exported);
    expect(r.stdout).not.toContain('undefined');
  });

  it('should print the same import --json either way when the import has findings (duplicates, warnings)', async () => {
    const viaDaemon = workspace();
    const direct = workspace();
    // A long debounce: the watcher's trigger for the new file and the CLI's request share one import.
    const d = start({ cwd: viaDaemon.root, args: ['--debounce-ms', '2000'] });
    await d.waitUntilWatching();
    const lines = [
      issueLine({ id: 't-a', title: 'Older copy', updated_at: '2025-01-01T00:00:00Z' }),
      issueLine({ id: 't-a', title: 'Newer copy', updated_at: '2025-02-01T00:00:00Z' }),
      issueLine({ id: 't-b', title: 'Odd type', issue_type: 'saga' }),
    ];
    for (const ws of [viaDaemon, direct]) {
      fs.writeFileSync(`${ws.jsonlPath}.new`, lines.map((l) => `${l}\n`).join(''));
      fs.renameSync(`${ws.jsonlPath}.new`, ws.jsonlPath);
    }
    const from = d.mark();
    const a = await cliOk(['import', '--json'], { cwd: viaDaemon.root });
    const b = await cliOk(['--no-daemon', 'import', '--json'], { cwd: direct.root });
    expect(await d.waitForEvent('import/done', WAIT, from)).toMatchObject({
      created: 2,
      duplicates: [{ id: 't-a', lines: [1, 2], kept_line: 2 }],
      warnings: { unknown_type: 1 },
    });
    expect(b.json).toMatchObject({ created: 2, duplicates: [{ id: 't-a', kept_line: 2 }] });
    expect(keyPaths(a.json)).toEqual(keyPaths(b.json));
    expect(normalise(a.json, '<no generated id>')).toEqual(normalise(b.json, '<no generated id>'));
  });

  it('should go direct with --no-daemon even while a daemon runs: the daemon sees that write only as a file change', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--debounce-ms', '100'] });
    await d.waitUntilWatching();

    let from = d.mark();
    const routed = await cliOk(['create', 'Through the daemon', '--json'], { cwd: ws.root });
    expect(await d.waitForEvent('store/mutated', WAIT, from)).toMatchObject({ op: 'create', id: routed.json.id });
    await daemonIdle(d, from);

    from = d.mark();
    const forced = await cliOk(['--no-daemon', 'create', 'Around the daemon', '--json'], { cwd: ws.root });
    // Direct mode wrote the shared DB and exported before it returned. The daemon sees only the
    // file change, and its import finds the file already recorded as the DB's own export.
    expect(jsonlIds(ws.jsonlPath)).toContain(forced.json.id);
    expect(await d.waitForEvent((e) => e.type.startsWith('import/'), WAIT, from)).toMatchObject({
      type: 'import/skipped',
      reason: 'own-write',
    });
    expect(d.count('fs/changed', from)).toBeGreaterThanOrEqual(1);
    expect(d.count('store/mutated', from)).toBe(0);
    expect(d.count((e) => e.type.startsWith('export/'), from)).toBe(0);

    const listed = await cliOk(['list', '--json'], { cwd: ws.root });
    expect(listed.json.map((i: { id: string }) => i.id).sort()).toEqual([routed.json.id, forced.json.id].sort());
  });
});
