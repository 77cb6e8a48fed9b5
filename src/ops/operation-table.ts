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

interface OperationRow<K extends Operation> {
  /** Changes issues: the daemon group-commits it; direct mode exports after it. */
  mutating: boolean;
  run: (args: OperationArgs[K], ctx: OperationContext) => unknown;
}

export const OPERATION_TABLE = {
  ping: { mutating: false, run: (_args, ctx) => health(requireDaemon(ctx.daemon, 'ping')) },
  health: { mutating: false, run: (_args, ctx) => health(requireDaemon(ctx.daemon, 'health')) },
  status: { mutating: false, run: (_args, ctx) => status(requireDaemon(ctx.daemon, 'status')) },
  create: { mutating: true, run: (args, ctx) => ctx.store.create(args, ctx.actor) },
  update: {
    mutating: true,
    run: ({ id, ...fields }, ctx) => ctx.store.update(id, fields, ctx.actor),
  },
  close: { mutating: true, run: (args, ctx) => ctx.store.close(args.id, args.reason, ctx.actor) },
  reopen: { mutating: true, run: (args, ctx) => ctx.store.reopen(args.id, ctx.actor) },
  delete: { mutating: true, run: (args, ctx) => ctx.store.delete(args.id, ctx.actor) },
  list: { mutating: false, run: (args, ctx) => ctx.store.list(args) },
  show: { mutating: false, run: (args, ctx) => ctx.store.show(args.id) },
  ready: { mutating: false, run: (args, ctx) => ctx.store.ready(args) },
  blocked: { mutating: false, run: (_args, ctx) => ctx.store.blocked() },
  stats: { mutating: false, run: (_args, ctx) => ctx.store.stats() },
  dep_add: {
    mutating: true,
    run: (args, ctx) => ctx.store.addDependency(args.from_id, args.to_id, args.dep_type, ctx.actor),
  },
  dep_remove: {
    mutating: true,
    run: (args, ctx) => ctx.store.removeDependency(args.from_id, args.to_id, ctx.actor),
  },
  label_add: { mutating: true, run: (args, ctx) => ctx.store.addLabel(args.id, args.label, ctx.actor) },
  label_remove: { mutating: true, run: (args, ctx) => ctx.store.removeLabel(args.id, args.label, ctx.actor) },
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
  return ROWS[call.operation].run(call.args, ctx);
}

export function isMutating(operation: Operation): boolean {
  return ROWS[operation].mutating;
}

/** Operations that change issues: the rows flagged `mutating`. */
export const MUTATING_OPERATIONS: ReadonlySet<Operation> = new Set(
  OPERATIONS.filter(isMutating),
);
