/**
 * Every RPC operation's handler and whether it writes, in one table typed by the args schemas
 * of rpc/protocol.ts: the compiler refuses a row without a schema, a schema without a row, and
 * a handler that does not take its schema's output. The daemon's dispatch, direct mode,
 * `MUTATING_OPERATIONS` and the client's result types all come from this table, so a command's
 * output is the same whether a daemon answers it or the CLI runs it itself.
 */
import { type Operation, type OperationArgs, type OperationCall, OPERATIONS } from '../rpc/protocol';
import { requireDaemon } from './daemon-context';
import { health, mutationsSince, runBatch, shutdown, status } from './daemon-operations';
import type { OperationContext } from './operation-context';
import { exportOperation, importOperation } from './sync-operations';
import { issueDetails, plainIssue } from '../store/bd/bd-shapes';
import { blockedIssues } from '../store/bd/blocked-issues';
import { configGet, configList, configSet, configUnset } from '../store/bd/config-values';
import { depCycles, depList, depTree } from '../store/bd/dep-queries';
import { epicStatuses } from '../store/bd/epic-status';
import { labelList, labelListAll } from '../store/bd/label-queries';
import { countIssues, listIssues, staleIssues } from '../store/bd/list-issues';
import { readyIssues } from '../store/bd/ready-issues';
import { resolveId, resolveIdArgs } from '../store/bd/resolve-id';
import { statsAnswer } from '../store/bd/statistics';
import { deleteIssues } from './delete-issues';
import { closeIssue, createIssue, updateIssue } from './issue-writes';

interface OperationRow<K extends Operation> {
  /** Changes issues: the daemon group-commits it; direct mode exports after it. */
  mutating: boolean;
  run: (args: OperationArgs[K], ctx: OperationContext) => unknown;
}

export const OPERATION_TABLE = {
  ping: { mutating: false, run: (_args, ctx) => ({ message: 'pong', ...health(requireDaemon(ctx.daemon, 'ping')) }) },
  health: { mutating: false, run: (_args, ctx) => health(requireDaemon(ctx.daemon, 'health')) },
  status: { mutating: false, run: (_args, ctx) => status(requireDaemon(ctx.daemon, 'status')) },
  create: { mutating: true, run: (args, ctx) => createIssue(ctx, args) },
  update: { mutating: true, run: (args, ctx) => updateIssue(ctx, args) },
  close: { mutating: true, run: (args, ctx) => closeIssue(ctx, args) },
  reopen: { mutating: true, run: (args, ctx) => plainIssue(ctx.store.reopen(args.id, ctx.actor)) },
  delete: { mutating: true, run: (args, ctx) => deleteIssues(ctx, args) },
  list: { mutating: false, run: (args, ctx) => listIssues(ctx.store, args) },
  count: { mutating: false, run: (args, ctx) => countIssues(ctx.store, args) },
  stale: { mutating: false, run: (args, ctx) => staleIssues(ctx.store, args) },
  show: { mutating: false, run: (args, ctx) => issueDetails(ctx.store, args.id) },
  resolve_id: { mutating: false, run: (args, ctx) => resolveId(ctx.store, args.id) },
  ready: { mutating: false, run: (args, ctx) => readyIssues(ctx.store, args) },
  blocked: { mutating: false, run: (args, ctx) => blockedIssues(ctx.store, args) },
  stats: { mutating: false, run: (args, ctx) => statsAnswer(ctx.store, args) },
  epic_status: { mutating: false, run: (args, ctx) => epicStatuses(ctx.store, { eligibleOnly: (args as Record<string, unknown>).eligible_only === true }) },
  dep_add: {
    mutating: true,
    run: (args, ctx) => {
      ctx.store.addDependency(args.from_id, args.to_id, args.dep_type, ctx.actor);
      return { status: 'added', issue_id: args.from_id, depends_on_id: args.to_id, type: args.dep_type };
    },
  },
  dep_remove: {
    mutating: true,
    run: (args, ctx) => {
      ctx.store.removeDependency(args.from_id, args.to_id, ctx.actor);
      return { status: 'removed', issue_id: args.from_id, depends_on_id: args.to_id };
    },
  },
  dep_list: { mutating: false, run: (args, ctx) => depList(ctx.store, args as Parameters<typeof depList>[1]) },
  dep_tree: { mutating: false, run: (args, ctx) => depTree(ctx.store, args as Parameters<typeof depTree>[1]) },
  dep_cycles: { mutating: false, run: (_args, ctx) => depCycles(ctx.store) },
  // bd's daemon answers label writes with no data.
  label_add: { mutating: true, run: (args, ctx) => void ctx.store.addLabel(args.id, args.label, ctx.actor) },
  label_remove: { mutating: true, run: (args, ctx) => void ctx.store.removeLabel(args.id, args.label, ctx.actor) },
  label_list: { mutating: false, run: (args, ctx) => labelList(ctx.store, args.id) },
  label_list_all: { mutating: false, run: (_args, ctx) => labelListAll(ctx.store) },
  get_config: { mutating: false, run: (args, ctx) => configGet(ctx.store, args.key) },
  config_set: { mutating: false, run: (args, ctx) => configSet(ctx.store, args.key, args.value) },
  config_unset: { mutating: false, run: (args, ctx) => configUnset(ctx.store, args.key) },
  config_list: { mutating: false, run: (_args, ctx) => configList(ctx.store) },
  // author defaults to the request's actor.
  comment_add: {
    mutating: true,
    run: (args, ctx) => ctx.store.addComment(args.id, args.author ?? ctx.actor, args.text),
  },
  comment_list: { mutating: false, run: (args, ctx) => ctx.store.comments(args.id) },
  get_mutations: {
    mutating: false,
    run: (args, ctx) => mutationsSince(requireDaemon(ctx.daemon, 'get_mutations'), args.since),
  },
  batch: {
    mutating: false,
    run: (args, ctx) => runBatch(requireDaemon(ctx.daemon, 'batch'), args.operations),
  },
  export: { mutating: false, run: exportOperation },
  import: { mutating: false, run: importOperation },
  shutdown: { mutating: false, run: (_args, ctx) => shutdown(requireDaemon(ctx.daemon, 'shutdown')) },
  subscribe: { mutating: false, run: (_args, ctx) => requireDaemon(ctx.daemon, 'subscribe').runtime.events$ },
} satisfies { [K in Operation]: OperationRow<K> };

/** What operation K's handler returns (a Promise for the daemon's lane and batch, an Observable for subscribe). */
export type OperationReturn<K extends Operation> = ReturnType<(typeof OPERATION_TABLE)[K]['run']>;

/** What a client gets back for operation K (the handler's result, once settled). */
export type OperationResult<K extends Operation> = Awaited<OperationReturn<K>>;

// The table seen row by row as "K's args in, K's result out", so a call keeps the pairing of an
// operation and its args without a cast (TypeScript's correlated-union pattern).
const ROWS: { [K in Operation]: { mutating: boolean; run: (args: OperationArgs[K], ctx: OperationContext) => OperationReturn<K> } } =
  OPERATION_TABLE;

/** Runs a validated call through its row. */
export function runOperation<K extends Operation>(call: OperationCall<K>, ctx: OperationContext): OperationReturn<K> {
  // Ids resolve as bd resolves them: exact, <prefix>-<input>, unique substring of the hash.
  const args = resolveIdArgs(ctx.store, call.operation, call.args as Record<string, unknown>) as OperationArgs[K];
  return ROWS[call.operation].run(args, ctx);
}

export function isMutating(operation: Operation): boolean {
  return ROWS[operation].mutating;
}

/** Operations that change issues: the rows flagged `mutating`. */
export const MUTATING_OPERATIONS: ReadonlySet<Operation> = new Set(
  OPERATIONS.filter(isMutating),
);
