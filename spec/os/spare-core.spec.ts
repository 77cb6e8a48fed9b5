import { runnableNow } from '../../src/os/spare-core';

describe('runnableNow', () => {
  it('reads the runnable count, which includes the reader itself (Linux)', () => {
    const n = runnableNow();
    expect(Number.isFinite(n)).toBe(true);
    expect(n).toBeGreaterThanOrEqual(1);
  });
});
