import { performance } from 'node:perf_hooks';
import type { RpcClient } from '../../src/rpc/rpc-client';

/** `n` creates on one connection with `inFlight` pipelined at a time; resolves with creates/s. */
export async function createsPerSecond(client: RpcClient, n: number, inFlight = 32, label = 'load'): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await client.request('create', { title: `${label} ${i}` });
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
  return n / ((performance.now() - t0) / 1000);
}
