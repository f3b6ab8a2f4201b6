import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run against package sources (the `@swas-archive/source` export condition), never a stale build.
  resolve: { conditions: ['@swas-archive/source'] },
  ssr: { resolve: { conditions: ['@swas-archive/source'], externalConditions: ['@swas-archive/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'pipelines/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: {
      // The default credential chain would otherwise ask the ECS metadata service, which is no address of ours.
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    },
  },
});
