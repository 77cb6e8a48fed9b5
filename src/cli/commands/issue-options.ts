import type { Options } from 'yargs';
import {
  DEFAULT_DEPENDENCY_TYPE,
  DEFAULT_ISSUE_TYPE,
  DEPENDENCY_TYPES,
  EDITABLE_FIELDS,
  ISSUE_STATUSES,
  ISSUE_TYPES,
  PRIORITY,
  type EditableField,
} from '../../store/issue-rules';
import { priorityOption } from './list-args';

/*
 * The options that name an issue rule, worded from the rules themselves. They list the values
 * rather than refusing others (yargs `choices`): the store and the RPC schemas refuse a bad
 * value with one message, whether the command runs here, in the fast path or in the daemon.
 */

export const PRIORITY_RANGE = `${PRIORITY.min} (highest) to ${PRIORITY.max}`;

export function issueTypeOption(withDefault: boolean): Options {
  return {
    alias: 't',
    type: 'string',
    describe: ISSUE_TYPES.join('|'),
    ...(withDefault ? { default: DEFAULT_ISSUE_TYPE } : {}),
  };
}

export const statusOption = { alias: 's', type: 'string', describe: ISSUE_STATUSES.join('|') } satisfies Options;

export const dependencyTypeOption = {
  alias: 't',
  type: 'string',
  default: DEFAULT_DEPENDENCY_TYPE,
  describe: DEPENDENCY_TYPES.join('|'),
} satisfies Options;

/** The CLI flag of each field that create and update set as given (bd's flag names). */
const FIELD_FLAGS: { [K in EditableField]: { flag: string; option: Options } } = {
  description: { flag: 'description', option: { alias: 'd', type: 'string' } },
  design: { flag: 'design', option: { type: 'string' } },
  acceptance_criteria: { flag: 'acceptance', option: { type: 'string', describe: 'Acceptance criteria' } },
  notes: { flag: 'notes', option: { type: 'string' } },
  priority: { flag: 'priority', option: priorityOption(PRIORITY_RANGE) },
  assignee: { flag: 'assignee', option: { alias: 'a', type: 'string' } },
  external_ref: { flag: 'external-ref', option: { type: 'string' } },
  estimated_minutes: { flag: 'estimate', option: { alias: 'e', type: 'number', describe: 'Estimated minutes' } },
};

/**
 * One yargs option per editable field; `describe` overrides a field's help text. Typed without
 * keys so yargs keeps the command's other argument types: `editableFieldArgs` reads the values.
 */
export function editableFieldOptions(describe: Partial<Record<EditableField, string>> = {}): Record<never, Options> {
  const out: Record<string, Options> = {};
  for (const field of EDITABLE_FIELDS) {
    const { flag, option } = FIELD_FLAGS[field];
    out[flag] = describe[field] ? { ...option, describe: describe[field] } : option;
  }
  return out;
}

/** The editable fields given on the command line, under their operation arg names. */
export function editableFieldArgs(argv: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of EDITABLE_FIELDS) {
    const value = argv[FIELD_FLAGS[field].flag];
    if (value !== undefined) out[field] = value;
  }
  return out;
}
