import {
  DEFAULT_DEPENDENCY_TYPE,
  DEPENDENCY_TYPES,
  ISSUE_STATUSES,
  ISSUE_TYPES,
  PRIORITY,
  isDependencyType,
  isIssueStatus,
  isIssueType,
  isPriority,
} from './issue-rules';
import { ValidationError } from './store-errors';

/** What a write refuses before it touches the DB; each message names the value and the way out. */
export function validateStatus(status: string): void {
  if (!isIssueStatus(status)) {
    throw new ValidationError(`status "${status}" is not one of ${ISSUE_STATUSES.join(', ')}`);
  }
}

export function validateType(type: string): void {
  if (!isIssueType(type)) {
    throw new ValidationError(`issue type "${type}" is not one of ${ISSUE_TYPES.join(', ')}`);
  }
}

export function validatePriority(priority: number): void {
  if (!isPriority(priority)) {
    throw new ValidationError(
      `priority ${JSON.stringify(priority)} is not an integer from ${PRIORITY.min} (highest) to ${PRIORITY.max}`,
    );
  }
}

export function validateDependencyType(type: string): void {
  if (!isDependencyType(type)) {
    throw new ValidationError(`dependency type "${type}" is not one of ${DEPENDENCY_TYPES.join(', ')}`);
  }
}

export function validateTitle(title: string | undefined, whenEmpty: string): string {
  const trimmed = title?.trim();
  if (!trimmed) throw new ValidationError(whenEmpty);
  return trimmed;
}

const ISSUE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*-[A-Za-z0-9._-]+$/;

export function validateIssueId(id: string, prefix: string): void {
  if (!ISSUE_ID.test(id)) {
    throw new ValidationError(`id "${id}" is not a valid issue id: expected PREFIX-SUFFIX, e.g. ${prefix}-a1b2`);
  }
}

/** `"type:id"` or `"id"` (a `blocks` dependency). */
export function parseDependencySpec(spec: string): { type: string; target: string } {
  const i = spec.indexOf(':');
  const type = i === -1 ? DEFAULT_DEPENDENCY_TYPE : spec.slice(0, i);
  const target = i === -1 ? spec : spec.slice(i + 1);
  if (!isDependencyType(type)) {
    throw new ValidationError(`dependency "${spec}": type "${type}" is not one of ${DEPENDENCY_TYPES.join(', ')}`);
  }
  if (!target) throw new ValidationError(`dependency "${spec}" names no issue: use TYPE:ID or ID`);
  return { type, target };
}

/** Trimmed, without blanks or repeats, first occurrence kept. */
export function dedupeLabels(items: string[]): string[] {
  return [...new Set(items.map((s) => s.trim()).filter(Boolean))];
}
