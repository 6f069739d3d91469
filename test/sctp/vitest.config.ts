// The SCTP suite: runs only inside the UML guest (`npm run test:sctp`, scripts/uml-run.sh), where
// the kernel has SCTP. Files are *.sctp.ts so the normal `vitest run` (test/**/*.test.ts) skips them.
// One fork, no isolation: the guest has one CPU and every process start costs there.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/sctp/**/*.sctp.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
    isolate: false,
    fileParallelism: false,
  },
});
