import { startDaemon, type DaemonProcess } from '../helpers/daemon-process';
import { socketOf } from '../helpers/real-daemon';
import { initWorkspace, makeTempDir, removeDir, runCliOk } from '../helpers/run-cli';
import { RawClient } from '../rpc/rpc-test-helpers';
import * as path from 'node:path';
import { Response, shapeProblems } from './bd-types';
import { SEED } from './cli-rows';
import { RPC_ROWS, type RpcRow } from './rpc-rows';

/**
 * Every row of rpc-rows.ts, sent over one connection to a real daemon exactly as bd's Go client
 * frames it, each answer checked against bd's types.
 */

jest.setTimeout(120_000);

describe("bd's daemon RPC (the Go client's requests)", () => {
  let ws: string;
  let daemon: DaemonProcess;
  let client: RawClient;

  beforeAll(async () => {
    ws = initWorkspace(makeTempDir('compat-rpc'), 'cp');
    for (const args of SEED) runCliOk(args, { cwd: ws });
    daemon = startDaemon({ cwd: ws, args: ['--debounce-ms', '50'] });
    await daemon.waitUntilWatching();
    client = await RawClient.open(socketOf({ root: ws }));
  });

  afterAll(async () => {
    client?.destroy();
    await daemon?.stop();
    removeDir(ws);
  });

  /** The request line bd's Go client writes: no request_id, no client_version unless asked. */
  const request = (row: RpcRow) => ({
    operation: row.operation,
    args: row.args,
    actor: 'go-client',
    cwd: ws,
    expected_db: path.join(ws, '.beads', 'beads.db'),
    ...row.envelope,
  });

  it.each(RPC_ROWS.map((row, i) => [i, row.operation, JSON.stringify(row.args), row] as const))(
    'row %i: %s %s should answer as bd',
    async (_i, _op, _args, row) => {
      client.send(request(row));
      const answer = await client.next(20_000);
      const problems = shapeProblems(answer, Response, 'response');
      if (row.error !== undefined) {
        if (answer.success !== false) problems.push(`expected an error containing ${JSON.stringify(row.error)}, got success`);
        else if (!String(answer.error).includes(row.error)) problems.push(`error ${JSON.stringify(answer.error)} should contain ${JSON.stringify(row.error)}`);
      } else if (answer.success !== true) {
        problems.push(`expected success, got error ${JSON.stringify(answer.error)}`);
      } else if (row.noData) {
        if ('data' in answer) problems.push(`expected no data, got ${JSON.stringify(answer.data).slice(0, 200)}`);
      } else if (row.data) {
        problems.push(...shapeProblems(answer.data, row.data, 'data').slice(0, 12));
        if (problems.length === 0 && row.check) {
          try {
            row.check(answer.data);
          } catch (err) {
            problems.push((err as Error).message);
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );
});
