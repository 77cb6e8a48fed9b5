import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { sweepStaleTemps, writeSyncedTemp } from '../../src/jsonl/atomic-write';
import { swapChecked, TargetChangedError } from '../../src/jsonl/swap-checked';
import { useTempDirs } from '../helpers/temp-workspace';

// The module object itself, so a spy is seen by src/ (as in outside-rename-race.spec.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsModule = require('node:fs') as typeof fs;
const realLink = fsModule.linkSync.bind(fsModule);

const inode = (file: string): number => fs.statSync(file).ino;

describe('swapChecked', () => {
  const tempDir = useTempDirs();
  afterEach(() => jest.restoreAllMocks());

  function setUp(): { dir: string; target: string; tmp: string } {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    fs.writeFileSync(target, 'old\n');
    return { dir, target, tmp: writeSyncedTemp(target, Buffer.from('new\n')) };
  }

  it('should put the temp in place of the approved file and leave no other name behind', () => {
    const { dir, target, tmp } = setUp();
    const oldIno = inode(target);
    const newIno = inode(tmp);
    const seen: Array<number | null> = [];

    swapChecked(tmp, target, (held) => {
      seen.push(held === null ? null : inode(held));
      // While it is checked, the file is off the path: nothing can be written into it by name.
      expect(fs.existsSync(target)).toBe(false);
      return true;
    });

    // The file checked is exactly the file that was at the path.
    expect(seen).toEqual([oldIno]);
    expect(inode(target)).toBe(newIno);
    expect(fs.readFileSync(target, 'utf8')).toBe('new\n');
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
  });

  it('should put a file it does not approve back where it was, and drop the temp', () => {
    const { dir, target, tmp } = setUp();
    const oldIno = inode(target);

    expect(() => swapChecked(tmp, target, () => false)).toThrow(TargetChangedError);

    expect(inode(target)).toBe(oldIno);
    expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
  });

  it('should keep a file put at the path while it was empty, instead of linking its own over it', () => {
    const { dir, target, tmp } = setUp();
    const outside = path.join(dir, 'teammate');
    let landed = false;
    jest.spyOn(fsModule, 'linkSync').mockImplementation(((from: fs.PathLike, to: fs.PathLike) => {
      if (!landed && from === tmp && to === target) {
        landed = true;
        fs.writeFileSync(outside, 'teammate\n');
        fs.renameSync(outside, target);
      }
      return realLink(from, to);
    }) as never);

    expect(() => swapChecked(tmp, target, () => true)).toThrow(TargetChangedError);

    expect(landed).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('teammate\n');
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
  });

  it('should keep a file that landed while a refused file was off the path, over the refused one', () => {
    const { dir, target, tmp } = setUp();

    expect(() =>
      swapChecked(tmp, target, () => {
        fs.writeFileSync(path.join(dir, 'teammate'), 'newer\n');
        fs.renameSync(path.join(dir, 'teammate'), target);
        return false;
      }),
    ).toThrow(TargetChangedError);

    // The newer rename stands, as it would have over the refused file without the swap.
    expect(fs.readFileSync(target, 'utf8')).toBe('newer\n');
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
  });

  it('should approve an empty path only when the caller expected none, and then create the file', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    const tmp = writeSyncedTemp(target, Buffer.from('first\n'));
    const seen: Array<string | null> = [];

    swapChecked(tmp, target, (held) => {
      seen.push(held);
      return held === null;
    });

    expect(seen).toEqual([null]);
    expect(fs.readFileSync(target, 'utf8')).toBe('first\n');
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
  });
});

describe('sweepStaleTemps after a process died inside a swap', () => {
  const tempDir = useTempDirs();

  it('should put the file a dead process held back at the missing path, then remove its temps', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    // What a kill between the two calls of the swap leaves: the old file at the held name (and
    // an older held name whose background unlink never ran), the new one at its temp name.
    fs.writeFileSync(path.join(dir, `.issues.jsonl.tmp-held-${dead}-1`), 'older\n');
    const held = path.join(dir, `.issues.jsonl.tmp-held-${dead}-7`);
    fs.writeFileSync(held, 'synced\n');
    const heldIno = inode(held);
    fs.writeFileSync(path.join(dir, `.issues.jsonl.tmp-${dead}-6`), 'unfinished\n');

    const removed = sweepStaleTemps(target);

    expect(fs.readFileSync(target, 'utf8')).toBe('synced\n');
    expect(inode(target)).toBe(heldIno);
    expect(removed.sort()).toEqual([`.issues.jsonl.tmp-${dead}-6`, `.issues.jsonl.tmp-held-${dead}-1`, `.issues.jsonl.tmp-held-${dead}-7`]);
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
  });

  it('should leave a JSONL that is there alone and only remove the dead held names', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    fs.writeFileSync(target, 'current\n');
    fs.writeFileSync(path.join(dir, `.issues.jsonl.tmp-held-${dead}-2`), 'stale\n');

    expect(sweepStaleTemps(target)).toEqual([`.issues.jsonl.tmp-held-${dead}-2`]);
    expect(fs.readFileSync(target, 'utf8')).toBe('current\n');
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
  });
});
