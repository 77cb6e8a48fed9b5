/** Type errors are caught by `tsc --noEmit` in `npm test`; ts-jest only transpiles (isolatedModules). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec', '<rootDir>/marbles'],
  testMatch: ['**/*.spec.ts', '**/*.marble.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 30000,
  // Two workers even on a 2-core machine (jest's default there is one): most suites wait on
  // real daemons, debounce windows, sockets and git rather than on the CPU, so two overlap well,
  // and CI's budget (15 min) needs it. More than two would put timing-heavy suites side by side.
  maxWorkers: 2,
};
