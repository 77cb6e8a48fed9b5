import * as fs from 'node:fs';
import type { Options } from 'yargs';
import { intOption, pick, priorityOption, splitList } from './list-args';
import { UsageError } from '../report-error';

/**
 * The flags create and update share (bd's common issue flags), hidden aliases included:
 * `--body`/`-m/--message` for `--description`, `--description-file` for `--body-file`,
 * `--acceptance-criteria` for `--acceptance`.
 */
export const ISSUE_FLAGS = {
  assignee: { alias: 'a', type: 'string' },
  description: { alias: ['d', 'body', 'm', 'message'], type: 'string', describe: 'Description (- reads stdin)' },
  'body-file': { alias: 'description-file', type: 'string', describe: 'Description from a file (- = stdin)' },
  design: { type: 'string' },
  acceptance: { alias: 'acceptance-criteria', type: 'string', describe: 'Acceptance criteria' },
  notes: { type: 'string' },
  'append-notes': { type: 'string', describe: 'Appended to the notes on a new line' },
  'external-ref': { type: 'string' },
  'spec-id': { type: 'string' },
  estimate: { alias: 'e', type: 'string', describe: 'Estimated minutes' },
  priority: priorityOption('0 (highest) to 4, or P0-P4'),
  type: { alias: 't', type: 'string', describe: 'bug|feature|task|epic|chore' },
  due: { type: 'string', describe: 'Due: +6h, +2d, tomorrow, YYYY-MM-DD, RFC 3339 ("" clears)' },
  defer: { type: 'string', describe: 'Hidden from ready until then (same formats)' },
} satisfies Record<string, Options>;

function readText(source: string): string {
  return fs.readFileSync(source === '-' ? 0 : source, 'utf8');
}

/** The operation args for the common flags that were given. */
export function issueFieldArgs(argv: Record<string, unknown>): Record<string, unknown> {
  const args = pick(argv, {
    assignee: 'assignee',
    design: 'design',
    acceptance: 'acceptance_criteria',
    notes: 'notes',
    'external-ref': 'external_ref',
    'spec-id': 'spec_id',
    priority: 'priority',
    type: 'issue_type',
    due: 'due_at',
    defer: 'defer_until',
  });
  // bd's type aliases, mapped here so the daemon's schema sees the type itself.
  if (args.issue_type === 'enhancement' || args.issue_type === 'feat') args.issue_type = 'feature';
  const description = argv.description;
  if (typeof description === 'string') args.description = description === '-' ? readText('-') : description;
  if (typeof argv['body-file'] === 'string') args.description = readText(argv['body-file']);
  const estimate = intOption('estimate', argv.estimate);
  if (estimate !== undefined) {
    if (estimate < 0) throw new UsageError(`--estimate must be minutes ≥ 0, not ${estimate}.`);
    args.estimated_minutes = estimate;
  }
  return args;
}

export { splitList };
