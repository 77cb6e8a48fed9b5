import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const DIST_CLI = path.join(REPO, 'dist', 'cli');

/**
 * The bin runs the one-file CLI (`npm run build` writes it and V8's code cache of it) only when
 * it is at least as new as the modules it was made from (src/cli/bin.ts). Checked on a copy of
 * dist/ (and package.json) inside the repository, so node_modules is still found,, with the bundle replaced by one
 * that only says it ran.
 */
describe('the bd-rx bin and its bundle', () => {
  let root: string;
  let copy: string;
  beforeAll(() => {
    fs.mkdirSync(path.join(REPO, 'tmp'), { recursive: true });
    root = fs.mkdtempSync(path.join(REPO, 'tmp', 'dist-copy-'));
    copy = path.join(root, 'dist');
    fs.cpSync(path.join(REPO, 'dist'), copy, { recursive: true });
    fs.copyFileSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const run = (bin: string) => execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });

  it('should be built with its code cache, and answer through it', () => {
    expect(fs.statSync(path.join(DIST_CLI, 'cli-bundle.js')).size).toBeGreaterThan(100_000);
    expect(fs.statSync(path.join(DIST_CLI, 'cli-bundle.cache')).size).toBeGreaterThan(10_000);
    expect(run(path.join(DIST_CLI, 'bin.js'))).toMatch(/^bd version 0\.49\.6 \(bd-rx /);
  });

  it('should run a bundle newer than main.js, and never one older (a tsc build after it)', () => {
    const cli = path.join(copy, 'cli');
    fs.writeFileSync(path.join(cli, 'cli-bundle.js'), "exports.main = async () => { console.log('the bundle ran'); };\n");
    fs.rmSync(path.join(cli, 'cli-bundle.cache'), { force: true });
    const main = fs.statSync(path.join(cli, 'main.js')).mtime;

    fs.utimesSync(path.join(cli, 'cli-bundle.js'), main, new Date(main.getTime() + 60_000));
    expect(run(path.join(cli, 'bin.js'))).toBe('the bundle ran\n');

    fs.utimesSync(path.join(cli, 'cli-bundle.js'), main, new Date(main.getTime() - 60_000));
    expect(run(path.join(cli, 'bin.js'))).toMatch(/^bd version 0\.49\.6 \(bd-rx /);

    fs.rmSync(path.join(cli, 'cli-bundle.js'));
    expect(run(path.join(cli, 'bin.js'))).toMatch(/^bd version 0\.49\.6 \(bd-rx /);
  });
});
