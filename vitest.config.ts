import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run against package sources (the `@swas-archive/source` export condition), never a stale build.
  resolve: { conditions: ['@swas-archive/source'] },
  ssr: { resolve: { conditions: ['@swas-archive/source'], externalConditions: ['@swas-archive/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'pipelines/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most tests wait on child processes, HTTP and the emulator's clock, not on the CPU: two files at a time
    // on two cores (vitest's default there is one) keeps the suite near half its serial time.
    maxWorkers: 2,
    env: {
      // The default credential chain would otherwise ask the ECS metadata service, which is no address of ours.
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    },
  },
});
