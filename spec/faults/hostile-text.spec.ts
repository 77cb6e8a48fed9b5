import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { CLI_BIN, cleanEnv, issueLine, runCliOk, useDaemons, type Workspace } from '../helpers/daemon-process';
import { WAIT, jsonlIds, waitForJsonlIds, withClient } from '../helpers/real-daemon';
import { waitFor } from '../helpers/wait-for';

/**
 * Fault 10, hostile text: what a teammate (or anyone who can push) can put in a record, and
 * what a user can type, goes through RPC, the DB, the JSONL and a fresh clone's import
 * unchanged, or is refused with an error naming it (lone surrogates, bytes that are not UTF-8,
 * a title over bd's 500 bytes). A terminal never gets a raw control character from a record.
 */

const ARGS = ['--debounce-ms', '50', '--max-wait-ms', '500'];

const PARTS = {
  nul: 'nul[\u0000]',
  controls: 'bel\u0007 esc\u001b[31mred\u001b[0m cr\r bs\b del\u007f c1\u009b2J vt\u000b ff\u000c',
  emoji: '👩🏽‍💻 🏳️‍🌈 🇫🇷 e\u0301 ⚙️',
  rtl: 'abc \u200f\u202eevil\u202c \u2067x\u2069 עברית العربية',
  odd: '\ufeffbom \u2028ls \u2029ps \ufffd <>&\\"\'',
};
const TITLE = Object.values(PARTS).join(' | ');
const NOTES = `line 1\n\tindented\r\nline 3 ${PARTS.controls}`;
/** A 1 MB description made of the same characters. */
const DESCRIPTION = (() => {
  const unit = `${TITLE}\n`;
  return unit.repeat(Math.ceil((1024 * 1024) / Buffer.byteLength(unit)));
})();

const TEXT_FIELDS = { title: TITLE, description: DESCRIPTION, notes: NOTES, assignee: `ж${PARTS.nul}${PARTS.rtl}` } as const;

function jsonlRecord(ws: Workspace, id: string): Record<string, unknown> {
  const line = fs.readFileSync(ws.jsonlPath, 'utf8').split('\n').find((l) => l !== '' && (JSON.parse(l) as { id: string }).id === id);
  return JSON.parse(line!) as Record<string, unknown>;
}

function dbRow(dbPath: string, id: string): { line: Record<string, unknown>; title: string; assignee: string; labels: string[] } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT line, title, assignee FROM issues WHERE id = ?').get(id) as { line: string; title: string; assignee: string };
    const labels = (db.prepare('SELECT label FROM labels WHERE issue_id = ? ORDER BY label').all(id) as Array<{ label: string }>).map((r) => r.label);
    return { line: JSON.parse(row.line) as Record<string, unknown>, title: row.title, assignee: row.assignee, labels };
  } finally {
    db.close();
  }
}

function cli(cwd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { cwd, env: cleanEnv({ BD_ACTOR: 'tester' }), encoding: 'utf8', timeout: 30_000, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function dump(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    return JSON.stringify(['issues', 'labels', 'dependencies'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));
  } finally {
    db.close();
  }
}

describe('fault 10: hostile text', () => {
  const { workspace, start } = useDaemons();
  jest.setTimeout(90_000);

  it('should round-trip NUL, control characters, emoji, RTL marks and a 1 MB description unchanged through RPC, the DB, the JSONL and a fresh clone', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ARGS });
    await d.waitUntilWatching();
    const labels = ['👩🏽‍💻', `rtl\u202e`, 'nul\u0000x', 'esc\u001b[2J'];
    const { id, shown, comment } = await withClient(ws, async (c) => {
      const created = await c.request('create', { ...TEXT_FIELDS, labels });
      const added = await c.request('comment_add', { id: created.id, text: `${PARTS.controls}\n${PARTS.emoji}` });
      return { id: created.id, shown: await c.request('show', { id: created.id }), comment: added };
    });
    expect(shown).toMatchObject({ ...TEXT_FIELDS, labels });
    expect(Buffer.byteLength(DESCRIPTION)).toBeGreaterThan(1_000_000);

    await waitForJsonlIds(ws.jsonlPath, [id]);
    await waitFor(() => (jsonlRecord(ws, id).comments as unknown[] | undefined)?.length === 1, WAIT, 'the comment in the JSONL');
    const inFile = jsonlRecord(ws, id);
    expect(inFile).toMatchObject({ ...TEXT_FIELDS, labels, comments: [expect.objectContaining({ text: comment.text })] });
    const row = dbRow(ws.dbPath, id);
    expect(row.line).toEqual(inFile);
    expect({ title: row.title, assignee: row.assignee }).toEqual({ title: TITLE, assignee: TEXT_FIELDS.assignee });
    expect(row.labels).toEqual([...labels].sort());

    // A fresh clone: the file alone, imported into a new DB, reads back the same and exports the same bytes.
    const clone = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-hostile-clone-')));
    try {
      fs.mkdirSync(path.join(clone, '.beads'));
      fs.copyFileSync(ws.jsonlPath, path.join(clone, '.beads', 'issues.jsonl'));
      runCliOk(clone, ['init', '--prefix', 't']);
      const again = JSON.parse(cli(clone, ['show', id, '--json']).stdout) as Array<Record<string, unknown>>;
      expect(again[0]).toMatchObject({ ...TEXT_FIELDS, labels });
      expect(cli(clone, ['export', '-o', '-']).stdout).toBe(fs.readFileSync(ws.jsonlPath, 'utf8'));
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });

  it('should refuse a lone surrogate in any text field over RPC, naming the field, and store nothing', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ARGS });
    await d.waitUntilWatching();
    await withClient(ws, async (c) => {
      const { id } = await c.request('create', { title: 'fine' });
      await expect(c.request('create', { title: 'half \ud83d of an emoji' })).rejects.toThrow(/title: expected well-formed text \(no lone UTF-16 surrogate/);
      await expect(c.request('update', { id, description: 'low \udc00 alone' })).rejects.toThrow(/description: expected well-formed text/);
      await expect(c.request('label_add', { id, label: '\udbff' })).rejects.toThrow(/label: expected well-formed text/);
      await expect(c.request('comment_add', { id, text: 'x\ud800' })).rejects.toThrow(/text: expected well-formed text/);
      const after = await c.request('show', { id });
      expect(after).toMatchObject({ title: 'fine' });
      expect(after.labels ?? []).toEqual([]); // bd omits an empty labels list
      expect(after.description ?? '').toBe('');
      expect((await c.request('list', {})).map((i) => i.id)).toEqual([id]);
    });
  });

  it("should refuse a title over bd's 500 bytes on create and update, over RPC and in direct mode", async () => {
    const ws = workspace();
    const long = '€'.repeat(167); // 501 bytes, 167 characters
    const r = cli(ws.root, ['create', long, '--no-daemon']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/title: expected a title of at most 500 bytes of UTF-8 \(bd's limit\)/);
    expect(cli(ws.root, ['create', '€'.repeat(166), '--no-daemon', '--json']).code).toBe(0);
    const d = start({ cwd: ws.root, args: ARGS });
    await d.waitUntilWatching();
    await withClient(ws, async (c) => {
      await expect(c.request('create', { title: long })).rejects.toThrow(/at most 500 bytes/);
      const { id } = await c.request('create', { title: 'short' });
      await expect(c.request('update', { id, title: long })).rejects.toThrow(/at most 500 bytes/);
      expect((await c.request('show', { id })).title).toBe('short');
    });
  });

  it('should refuse a JSONL line that is not valid UTF-8, or holds a lone surrogate escape, naming the line; the DB stays as it was; the next good file imports', async () => {
    const ws = workspace({ lines: [issueLine('t-good', { title: 'kept' })] });
    const d = start({ cwd: ws.root, args: ARGS });
    await d.waitUntilWatching();
    const before = dump(ws.dbPath);
    const bad = Buffer.concat([Buffer.from(`${issueLine('t-good', { title: 'kept' })}\n${issueLine('t-latin1').slice(0, -1)},"notes":"caf`), Buffer.from([0xe9]), Buffer.from('"}\n')]);
    let mark = d.mark();
    fs.writeFileSync(ws.jsonlPath, bad);
    const failed = await d.waitForEvent('import/failed', WAIT, mark);
    expect(failed).toMatchObject({ code: 'JsonlLineError', line: 2, error: expect.stringMatching(/line 2 is not valid UTF-8 text \(byte \d+ \(0xe9\)/) });
    expect(dump(ws.dbPath)).toBe(before);

    mark = d.mark();
    fs.writeFileSync(ws.jsonlPath, `${issueLine('t-good', { title: 'kept' })}\n${issueLine('t-half', { title: '\\ud800' }).replace('"\\\\ud800"', '"\\ud800"')}\n`);
    const failedAgain = await d.waitForEvent('import/failed', WAIT, mark);
    expect(failedAgain).toMatchObject({ line: 2, error: expect.stringContaining('\\ud800, half of a UTF-16 surrogate pair') });
    expect(dump(ws.dbPath)).toBe(before);
    // The same refusal in direct mode: exit 1, naming the line.
    await d.stop();
    const direct = cli(ws.root, ['import', '--no-daemon']);
    expect(direct.code).toBe(1);
    expect(direct.stderr).toMatch(/issues\.jsonl line 2 is not valid UTF-8 text/);

    fs.writeFileSync(ws.jsonlPath, `${issueLine('t-good', { title: 'kept' })}\n${issueLine('t-fixed', { notes: 'café \ud83d\ude00' })}\n`);
    expect(cli(ws.root, ['import', '--no-daemon']).code).toBe(0);
    expect(JSON.parse(cli(ws.root, ['show', 't-fixed', '--json', '--no-daemon']).stdout)[0].notes).toBe('café 😀');
  });

  it('should refuse a command-line argument that is not valid UTF-8 instead of storing U+FFFD', () => {
    const ws = workspace();
    // Latin-1 "café": the byte 0xe9 alone. spawnSync takes the bytes through a shell variable.
    const r = spawnSync('sh', ['-c', `exec "$0" "$1" create "$(printf 'caf\\351')" --no-daemon`, process.execPath, CLI_BIN], {
      cwd: ws.root,
      env: cleanEnv(),
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/argument 2 .* is not valid UTF-8: pass text as UTF-8/);
    expect(jsonlIds(ws.jsonlPath)).toEqual([]);
  });

  it('should print no raw control character of a pulled record in a terminal (show, list), and --json should stay exact', () => {
    const nasty = `t-esc`;
    const title = `boom\u001b[2J\u001b]0;owned\u0007\r\u009b31mfake\nt-fake [P0] [bug] open - forged row`;
    const ws = workspace({ lines: [issueLine(nasty, { title, description: `ok\nline2\u001b[8m hidden`, labels: ['l\u001b[5m'] })] });
    // A real terminal: `script` gives the command a pseudo-terminal, as a user's shell would.
    const inTty = (args: string[]): string => {
      const command = [process.execPath, CLI_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ws.root, env: cleanEnv({ TERM: 'xterm' }), encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(0);
      return r.stdout;
    };
    for (const out of [inTty(['list']), inTty(['show', nasty])]) {
      expect(out).toContain('boom\\u001b[2J\\u001b]0;owned\\u0007\\u000d\\u009b31mfake\\u000at-fake');
      expect(out).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    }
    const show = inTty(['show', nasty]);
    expect(show).toContain('ok\r\nline2\\u001b[8m hidden');
    expect(show).toContain('Labels: l\\u001b[5m');
    // Exactly one row: the newline inside the title did not fake a second issue line.
    expect(inTty(['list']).split('\n').filter((l) => /^t-/.test(l))).toHaveLength(1);
    const json = JSON.parse(cli(ws.root, ['show', nasty, '--json']).stdout) as Array<{ title: string; labels: string[] }>;
    expect(json[0]).toMatchObject({ title, labels: ['l\u001b[5m'] });
  });
});
