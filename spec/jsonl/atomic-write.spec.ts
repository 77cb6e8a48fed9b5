import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { atomicWriteFile, replaceWithTemp, sweepStaleTemps, TempFileTakenError, writeSyncedTemp } from '../../src/jsonl/atomic-write';
import { contentHash } from '../../src/jsonl/content-hash';
import { useTempDirs } from '../helpers/temp-workspace';
import { waitFor } from '../helpers/wait-for';

describe('atomicWriteFile', () => {
  const tempDir = useTempDirs();

  it('should replace the file with exactly the given bytes and leave no temp file beside it', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    fs.writeFileSync(target, 'old content that is longer than the new one\n');
    atomicWriteFile(target, Buffer.from('{"id":"x-1"}\n'));
    atomicWriteFile(target, Buffer.from('{"id":"x-1","title":"é"}\n'));
    expect(fs.readFileSync(target, 'utf8')).toBe('{"id":"x-1","title":"é"}\n');
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
  });

  it('should remove its temp file and keep the old target when the rename fails', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep'), 'x');
    expect(() => atomicWriteFile(target, Buffer.from('data\n'))).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
    expect(fs.readFileSync(path.join(target, 'keep'), 'utf8')).toBe('x');
  });

  it('should, releasing the old file in the background, leave only the new file once the unlink has run', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    fs.writeFileSync(target, 'old\n');
    const oldIno = fs.statSync(target).ino;
    atomicWriteFile(target, Buffer.from('new\n'), { releaseOldInBackground: true });
    expect(fs.readFileSync(target, 'utf8')).toBe('new\n');
    expect(fs.statSync(target).ino).not.toBe(oldIno);
    await waitFor(() => fs.readdirSync(dir).length === 1, 5000, 'the old name to be unlinked');
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
  });

  it('should write a first file the same way when asked to release an old one that does not exist', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    atomicWriteFile(target, Buffer.from('first\n'), { releaseOldInBackground: true });
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
    expect(fs.readFileSync(target, 'utf8')).toBe('first\n');
  });
});

describe('writeSyncedTemp and replaceWithTemp (the two halves of atomicWriteFile)', () => {
  const tempDir = useTempDirs();

  it('should write the data to a temp file beside the target, named as sweepStaleTemps knows, leaving the target alone', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    fs.writeFileSync(target, 'old\n');
    const tmp = writeSyncedTemp(target, Buffer.from('new\n'));
    expect(path.dirname(tmp)).toBe(dir);
    expect(path.basename(tmp)).toMatch(new RegExp(`^\\.issues\\.jsonl\\.tmp-${process.pid}-\\d+$`));
    expect(fs.readFileSync(tmp, 'utf8')).toBe('new\n');
    expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
  });

  it('should put that very file in place of the target later, and leave nothing else', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    fs.writeFileSync(target, 'old\n');
    const tmp = writeSyncedTemp(target, Buffer.from('new\n'));
    const ino = fs.statSync(tmp).ino;
    replaceWithTemp(tmp, target);
    expect(fs.statSync(target).ino).toBe(ino);
    expect(fs.readFileSync(target, 'utf8')).toBe('new\n');
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
  });

  it('should remove the temp file and keep the old target when the rename fails', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep'), 'x');
    const tmp = writeSyncedTemp(target, Buffer.from('data\n'));
    expect(() => replaceWithTemp(tmp, target, { releaseOldInBackground: true })).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['issues.jsonl']);
    expect(fs.readFileSync(path.join(target, 'keep'), 'utf8')).toBe('x');
  });
});

describe('sweepStaleTemps', () => {
  const tempDir = useTempDirs();

  it('should remove temp files of processes that are gone and keep those of live ones and other files', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const names = [
      'issues.jsonl',
      `.issues.jsonl.tmp-${dead}-1`,
      `.issues.jsonl.tmp-old-${dead}-2`,
      `.issues.jsonl.tmp-${process.pid}-3`,
      '.gitignore',
      '.other.jsonl.tmp-1-1',
    ];
    for (const n of names) fs.writeFileSync(path.join(dir, n), 'x');
    expect(sweepStaleTemps(target).sort()).toEqual([`.issues.jsonl.tmp-${dead}-1`, `.issues.jsonl.tmp-old-${dead}-2`]);
    expect(fs.readdirSync(dir).sort()).toEqual(
      ['issues.jsonl', `.issues.jsonl.tmp-${process.pid}-3`, '.gitignore', '.other.jsonl.tmp-1-1'].sort(),
    );
  });
});

describe('contentHash', () => {
  it('should be the SHA-256 hex of the bytes', () => {
    expect(contentHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(contentHash(Buffer.from('abc'))).toBe(contentHash('abc'));
  });
});

describe('atomic writes against planted temp names (fault 9)', () => {
  const tempDir = useTempDirs();

  /** Symlinks to `victim` at this process's temp names for `target`, counters 1..count. */
  function plant(target: string, victim: string, count: number): void {
    for (let n = 1; n <= count; n++) {
      for (const kind of ['', 'old-']) {
        fs.symlinkSync(victim, path.join(path.dirname(target), `.${path.basename(target)}.tmp-${kind}${process.pid}-${n}`));
      }
    }
  }

  it('should never write through a symlink planted at a temp name, nor put it in place of the target', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    const victim = path.join(tempDir(), 'victim');
    fs.writeFileSync(victim, 'precious\n');
    fs.writeFileSync(target, 'old\n');
    plant(target, victim, 50);
    atomicWriteFile(target, Buffer.from('new\n'), { releaseOldInBackground: true });
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(fs.lstatSync(target).isFile()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('new\n');
    expect(fs.statSync(target).mode & 0o777).toBe(0o644);
  });

  it('should give up with an error naming the directory when every name it tries is taken, writing nothing', () => {
    const dir = tempDir();
    const target = path.join(dir, 'issues.jsonl');
    const victim = path.join(tempDir(), 'victim');
    fs.writeFileSync(victim, 'precious\n');
    fs.writeFileSync(target, 'old\n');
    plant(target, victim, 1000);
    expect(() => writeSyncedTemp(target, Buffer.from('new\n'))).toThrow(TempFileTakenError);
    expect(() => writeSyncedTemp(target, Buffer.from('new\n'))).toThrow(
      `could not create a temp file in ${dir}: 100 names (.issues.jsonl.tmp-*) already exist`,
    );
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
  });
});
