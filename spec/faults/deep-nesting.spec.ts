import { useDaemons } from '../helpers/daemon-process';
import { socketOf, WAIT, withClient } from '../helpers/real-daemon';
import { waitFor } from '../helpers/wait-for';
import { RawClient } from '../rpc/rpc-test-helpers';

/**
 * Found by trying the daemon as an attacker would: one request line of about 20 KB, a `create`
 * whose `labels` nests 10,000 arrays, used to end the daemon with an uncaught RangeError in the
 * zod error formatter (JSON.stringify of the bad value recursed past the stack). A real daemon,
 * its real socket.
 */

jest.setTimeout(60_000);

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const nestedObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** The next answer; fails at once if the daemon hung up (or died) instead. */
async function answerOrHangUp(raw: RawClient): Promise<{ success: boolean; error?: string }> {
  const before = raw.lines.length;
  await waitFor(() => raw.lines.length > before || raw.closed, WAIT, 'an answer or a hang-up');
  if (raw.lines.length === before) throw new Error('the daemon closed the connection instead of answering');
  return raw.next();
}

describe('fault 8: RPC abuse — one short RPC line kills the daemon', () => {
  const { workspace, start } = useDaemons();

  it('should answer deeply nested arguments with an error naming the field, and keep serving', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--debounce-ms', '100'] });
    await d.waitUntilWatching();
    const raw = await RawClient.open(socketOf(ws));
    try {
      const cases = [
        // As found: 10,000 nested arrays, about 20 KB.
        `{"operation":"create","args":{"title":"x","labels":${nested(10_000)}}}`,
        // Half as deep still overflowed JSON.stringify, and is under the request's value budget,
        // so it reaches the argument checks.
        `{"operation":"create","args":{"title":"x","labels":${nested(5_000)}}}`,
        `{"operation":"create","args":{"title":"x","description":${nestedObject(5_000)}}}`,
        `{"operation":"batch","args":{"operations":[{"operation":"create","args":{"title":"x","labels":${nested(5_000)}}}]}}`,
        nested(5_000),
        `{"operation":${nested(5_000)},"args":{}}`,
        // 100,000 deep.
        `{"operation":"create","args":{"title":"x","labels":${nested(100_000)}}}`,
        nested(100_000),
      ];
      expect(Buffer.byteLength(cases[0] as string)).toBeLessThan(21_000);
      const answers: Array<{ success: boolean; error?: string }> = [];
      for (const line of cases) {
        raw.write(`${line}\n`);
        answers.push(await answerOrHangUp(raw));
      }
      expect(answers.map((a) => a.success)).toEqual(cases.map(() => false));
      for (const i of [0, 6, 7]) expect(answers[i]?.error).toMatch(/^request too complex: a request may hold at most 10000 values/);
      expect(answers[1]?.error).toMatch(/^invalid args for create: labels\.0: expected a non-empty label, got \[\[\[/);
      expect(answers[2]?.error).toMatch(/description: expected a string, got \{"a":\{"a":/);
      expect(answers[3]?.error).toMatch(/^invalid args for batch: operations\.0: invalid args for create: labels\.0: expected/);
      expect(answers[4]?.error).toMatch(/^invalid request: expected a JSON object \{operation, args\}, got \[\[\[/);
      expect(answers[5]?.error).toMatch(/^invalid request: operation: expected an operation name \(string\), got \[\[\[/);
      // Every message stays short, whatever the depth.
      for (const a of answers) expect((a.error ?? '').length).toBeLessThan(400);
    } finally {
      raw.destroy();
    }
    const created = await withClient(ws, (c) => c.request('create', { title: 'Still served' }));
    expect(created).toMatchObject({ title: 'Still served' });
    expect(d.exit).toBeUndefined();
    expect(d.stderr).not.toMatch(/RangeError/);
  });
});
