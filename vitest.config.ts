import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest files, slowest first (seconds on the 2-core CI machine, at 79bba83). A fresh clone has no
 * timings cached, and vitest then starts the largest files first: a small file that runs for 85 s could
 * start last and run alone. Started first, the two workers finish close together.
 */
const SLOW_FIRST = [
  'test/first-hour.test.ts', // 97
  'packages/archive/src/large-snapshot.test.ts', // 86
  'test/cli.test.ts', // 85
  'test/reliability/big-instances.test.ts', // 44
  'test/reliability/disk.test.ts', // 43
  'test/reliability/interrupt.test.ts', // 42
  'test/sim/budget-sim.test.ts', // 42
  'test/crawler.test.ts', // 41
  'test/operations.test.ts', // 39
  'test/reliability/chaos.test.ts', // 38
  'test/interrupted-crawl.test.ts', // 37
  'test/reliability/secrets.test.ts', // 33
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((path) => f.moduleId.endsWith(`/${path}`));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

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
    sequence: { sequencer: SlowFirstSequencer },
    env: {
      // The default credential chain would otherwise ask the ECS metadata service, which is no address of ours.
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    },
  },
});
