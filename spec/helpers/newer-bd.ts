import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeRecord } from '../../src/jsonl/serialize-record';

/**
 * JSONL as newer bd (1.0.x) writes it with `bd export --include-memories`: every issue line
 * starts `{"_type":"issue",`, and the memories (`bd remember`) follow the issues, sorted by key,
 * each a Go map marshalled (keys sorted: `_type`, `key`, `value`; `<`, `>`, `&` escaped).
 */

/** A memory line, byte for byte as bd marshals it. */
export function memoryLine(key: string, value: string): string {
  return serializeRecord({ _type: 'memory', key, value });
}

/** An issue line as newer bd writes it: `"_type":"issue"` before the id. */
export function typedIssueLine(line: string): string {
  if (!line.startsWith('{"id":')) throw new Error(`not an issue line in bd's shape: ${line.slice(0, 40)}`);
  return `{"_type":"issue",${line.slice(1)}`;
}

export const MEMORIES = [
  memoryLine('build', 'run `npm test` with --maxWorkers=1 <here> & there'),
  memoryLine('deploy-target', 'staging first'),
  memoryLine('style', 'why-comments\u2028not what-comments'),
];

/**
 * A real bd export (spec/fixtures, 18 issues) rewritten in newer bd's shape, with three
 * memories after the issues: what a repository shared with bd 1.0 holds.
 */
export function newerBdExport(): string {
  const fixture = path.join(__dirname, '..', 'fixtures', 'steveyegge__beads__issues__20251012-8d3bbbc.jsonl');
  const issues = fs.readFileSync(fixture, 'utf8').split('\n').filter((l) => l !== '').map(typedIssueLine);
  return [...issues, ...MEMORIES].map((l) => `${l}\n`).join('');
}
