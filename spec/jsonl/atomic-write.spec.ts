import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFile } from '../../src/jsonl/atomic-write';
import { contentHash } from '../../src/jsonl/content-hash';
import { useTempDirs } from '../helpers/temp-workspace';

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
});

describe('contentHash', () => {
  it('should be the SHA-256 hex of the bytes', () => {
    expect(contentHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(contentHash(Buffer.from('abc'))).toBe(contentHash('abc'));
  });
});
