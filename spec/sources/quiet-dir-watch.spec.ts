import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { quietDirWatch } from '../../src/sources/quiet-dir-watch';
import { waitFor } from '../helpers/wait-for';

const tmpDirs: string[] = [];
const watchers: fs.FSWatcher[] = [];

afterEach(() => {
  for (const w of watchers.splice(0)) w.close();
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function beadsDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-quiet-')));
  tmpDirs.push(dir);
  fs.writeFileSync(path.join(dir, 'issues.jsonl'), '');
  return dir;
}

/** A stand-in for the `fs` module whose `watch` is the real one: the test's own stays untouched. */
function fsWithRealWatch(): typeof fs {
  return { watch: fs.watch } as typeof fs;
}

describe('quietDirWatch', () => {
  it('should pass events for the kept names and drop those for every other file in the directory', async () => {
    const dir = beadsDir();
    const mod = fsWithRealWatch();
    quietDirWatch(mod, dir, ['issues.jsonl']);
    const seen: string[] = [];
    watchers.push(mod.watch(dir, (_event, name) => seen.push(String(name))));

    // Written first: the kernel reports one watch's events in order, so once the JSONL's event
    // has arrived, any event for these would have arrived before it.
    fs.writeFileSync(path.join(dir, 'beads.db-wal'), 'frames');
    fs.appendFileSync(path.join(dir, 'beads.db-wal'), 'more frames');
    fs.writeFileSync(path.join(dir, '.issues.jsonl.tmp-1-1'), '{}\n');
    fs.renameSync(path.join(dir, '.issues.jsonl.tmp-1-1'), path.join(dir, 'issues.jsonl'));
    await waitFor(() => seen.includes('issues.jsonl'), 5000, 'the JSONL event');

    expect(new Set(seen)).toEqual(new Set(['issues.jsonl']));
  });

  it('should leave watches of other paths unfiltered', async () => {
    const dir = beadsDir();
    const other = beadsDir();
    const mod = fsWithRealWatch();
    quietDirWatch(mod, dir, ['issues.jsonl']);
    const seen: string[] = [];
    watchers.push(mod.watch(other, (_event, name) => seen.push(String(name))));

    fs.writeFileSync(path.join(other, 'beads.db-wal'), 'frames');
    await waitFor(() => seen.includes('beads.db-wal'), 5000, 'the unfiltered event');
    expect(seen).toContain('beads.db-wal');
  });

  it('should pass the event of the watched directory itself being removed', async () => {
    const dir = beadsDir();
    const mod = fsWithRealWatch();
    quietDirWatch(mod, dir, ['issues.jsonl']);
    const seen: string[] = [];
    const w = mod.watch(dir, (_event, name) => seen.push(String(name)));
    w.on('error', () => undefined);
    watchers.push(w);

    fs.rmSync(dir, { recursive: true });
    // inotify names the directory itself when the watched directory goes away.
    await waitFor(() => seen.includes(path.basename(dir)), 5000, "the directory's own event");
    expect(seen).toContain(path.basename(dir));
  });
});
