import { hashId, type HashIdInput } from '../../src/store/hash-id';

const input: HashIdInput = {
  prefix: 'demo',
  title: 'Fix the login page',
  description: '',
  creator: 'alice',
  createdAt: '2025-06-01T12:00:00.000Z',
};

const suffixLength = (id: string) => id.length - 'demo-'.length;

describe('hashId', () => {
  it('should make PREFIX- plus 4 base36 characters', () => {
    expect(hashId(input, () => false)).toMatch(/^demo-[0-9a-z]{4}$/);
  });

  it('should give the same id for the same inputs and a different one for a different title', () => {
    expect(hashId(input, () => false)).toBe(hashId({ ...input }, () => false));
    expect(hashId({ ...input, title: 'Fix the logout page' }, () => false)).not.toBe(hashId(input, () => false));
  });

  it('should pick another id when the first one is taken', () => {
    const first = hashId(input, () => false);
    const second = hashId(input, (id) => id === first);
    expect(second).not.toBe(first);
    expect(second).toMatch(/^demo-[0-9a-z]+$/);
  });

  it('should grow to 5 characters when every 4-character candidate collides', () => {
    const asked: string[] = [];
    const id = hashId(input, (candidate) => {
      asked.push(candidate);
      return suffixLength(candidate) === 4;
    });
    expect(id).toMatch(/^demo-[0-9a-z]{5}$/);
    expect(asked.filter((c) => suffixLength(c) === 4).length).toBeGreaterThan(1);
  });

  it('should keep growing while collisions continue', () => {
    const id = hashId(input, (candidate) => suffixLength(candidate) <= 6);
    expect(id).toMatch(/^demo-[0-9a-z]{7}$/);
  });

  it('should give up with an error naming the prefix when no length is free', () => {
    expect(() => hashId(input, () => true)).toThrow(/"demo"/);
  });
});
