import type { IssueRecord } from '../jsonl/parse-jsonl';
import { TEXT_FIELDS } from '../store/issue-rules';
import { escapeControls } from '../text/escape-controls';

/** `--json` output: bd's shapes, indented as bd prints them. */
export function printJson(data: unknown): void {
  process.stdout.write(JSON.stringify(data, null, 2) + '\n');
}

/**
 * One line of human output. Text mode is for a person at a terminal (or a pipe that ends in
 * one: `less -R`, a CI log): control characters from records (a pulled ESC sequence) are
 * escaped, newline and tab kept. `--json` (printJson) stays exact.
 */
export function print(line = ''): void {
  process.stdout.write(escapeControls(line, true) + '\n');
}

/** A field inside a one-line layout: a newline in a pulled title must not fake another row. */
const s = (v: unknown): string => (v === undefined || v === null ? '' : escapeControls(String(v)));
/** A multi-line field (description, comment text): its lines kept, other controls escaped. */
const block = (v: unknown): string => (v === undefined || v === null ? '' : escapeControls(String(v), true));

/** One line per issue: `bd-a1b2 [P1] [bug] open - Title`. */
export function issueLine(issue: IssueRecord): string {
  const labels = Array.isArray(issue.labels) && issue.labels.length ? ` [${s(issue.labels.join(', '))}]` : '';
  const who = issue.assignee ? ` @${s(issue.assignee)}` : '';
  return `${s(issue.id)} [P${s(issue.priority)}] [${s(issue.issue_type)}] ${s(issue.status)} - ${s(issue.title)}${who}${labels}`;
}

export function printIssueList(issues: IssueRecord[], empty: string): void {
  if (issues.length === 0) {
    print(empty);
    return;
  }
  for (const issue of issues) print(issueLine(issue));
}

interface Summary {
  id: string;
  title: unknown;
  status: unknown;
  dependency_type: string;
}

const TEXT_FIELD_TITLES: Record<(typeof TEXT_FIELDS)[number], string> = {
  description: 'Description',
  design: 'Design',
  acceptance_criteria: 'Acceptance criteria',
  notes: 'Notes',
};

/** The human view of `show`. */
export function printIssueDetails(d: IssueRecord & { dependencies?: Summary[]; dependents?: Summary[] }): void {
  print(`${s(d.id)}: ${s(d.title)}`);
  print(`Status: ${s(d.status)}   Priority: P${s(d.priority)}   Type: ${s(d.issue_type)}`);
  if (d.assignee) print(`Assignee: ${s(d.assignee)}`);
  print(`Created: ${s(d.created_at)}${d.created_by ? ` by ${s(d.created_by)}` : ''}`);
  if (d.updated_at) print(`Updated: ${s(d.updated_at)}`);
  if (d.closed_at) print(`Closed: ${s(d.closed_at)}${d.close_reason ? ` (${s(d.close_reason)})` : ''}`);
  if (d.external_ref) print(`External: ${s(d.external_ref)}`);
  if (Array.isArray(d.labels) && d.labels.length) print(`Labels: ${s(d.labels.join(', '))}`);
  for (const key of TEXT_FIELDS) {
    if (d[key]) {
      print();
      print(`${TEXT_FIELD_TITLES[key]}:`);
      print(block(d[key]));
    }
  }
  const deps = (d.dependencies ?? []) as Summary[];
  if (deps.length) {
    print();
    print('Depends on:');
    for (const x of deps) print(`  → ${s(x.id)} (${s(x.dependency_type)}) ${s(x.status)} - ${s(x.title)}`);
  }
  const dependents = (d.dependents ?? []) as Summary[];
  if (dependents.length) {
    print();
    print('Blocks / referenced by:');
    for (const x of dependents) print(`  ← ${s(x.id)} (${s(x.dependency_type)}) ${s(x.status)} - ${s(x.title)}`);
  }
  const comments = Array.isArray(d.comments) ? (d.comments as Array<Record<string, unknown>>) : [];
  if (comments.length) {
    print();
    print(`Comments (${comments.length}):`);
    for (const c of comments) print(`  [${s(c.created_at)}] ${s(c.author)}: ${block(c.text)}`);
  }
}
