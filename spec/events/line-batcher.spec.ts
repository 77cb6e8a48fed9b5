import { LineBatcher } from '../../src/events/line-batcher';

describe('LineBatcher', () => {
  it('should write the lines of one turn of the event loop as one chunk, in order', async () => {
    const chunks: string[] = [];
    const log = new LineBatcher((chunk) => chunks.push(chunk));
    log.write('{"type":"store/mutated","id":"bd-1"}');
    log.write('{"type":"store/mutated","id":"bd-2"}');
    expect(chunks).toEqual([]); // not before the turn ends
    await new Promise((resolve) => setImmediate(resolve));
    log.write('{"type":"export/done"}');
    await new Promise((resolve) => setImmediate(resolve));

    expect(chunks).toEqual([
      '{"type":"store/mutated","id":"bd-1"}\n{"type":"store/mutated","id":"bd-2"}\n',
      '{"type":"export/done"}\n',
    ]);
  });

  it('should write what is pending at once on flush, and nothing more at the deferred flush', () => {
    const chunks: string[] = [];
    const deferred: Array<() => void> = [];
    const log = new LineBatcher((chunk) => chunks.push(chunk), (flush) => deferred.push(flush));
    log.write('a');
    log.write('b');
    log.flush();
    expect(chunks).toEqual(['a\nb\n']);

    for (const flush of deferred.splice(0)) flush();
    expect(chunks).toEqual(['a\nb\n']);
    log.flush();
    expect(chunks).toEqual(['a\nb\n']); // nothing pending: no empty write
  });

  it('should schedule one deferred flush per batch, and a new one after it ran', () => {
    const deferred: Array<() => void> = [];
    const chunks: string[] = [];
    const log = new LineBatcher((chunk) => chunks.push(chunk), (flush) => deferred.push(flush));
    log.write('a');
    log.write('b');
    expect(deferred).toHaveLength(1);
    deferred.shift()?.();
    log.write('c');
    expect(deferred).toHaveLength(1);
    deferred.shift()?.();
    expect(chunks).toEqual(['a\nb\n', 'c\n']);
  });
});
