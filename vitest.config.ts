import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

const SOURCE = '@vfio-ts/source';

// Per-package V8 coverage gates. Raise them, never lower them.
const gates: Record<string, { lines: number; branches: number }> = {
  kernel: { lines: 99, branches: 95 },
  'runtime-pm': { lines: 99, branches: 99 },
  'pci-core': { lines: 98, branches: 95 },
  'vfio-core': { lines: 99, branches: 98 },
  'vfio-pci': { lines: 98, branches: 93 },
  'variant-nvidia': { lines: 99, branches: 97 },
  'test-kit': { lines: 98, branches: 93 },
};

// Tests import the packages' TypeScript sources.
const fromSource = {
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
};

export default defineConfig({
  test: {
    // Test files share their workers' module graph (no per-file isolation: a third of the time
    // went into re-importing the stack for every file); a file that mocks modules is named
    // *.isolated.test.ts and runs in a fresh module graph of its own.
    projects: [
      {
        extends: true,
        ...fromSource,
        test: {
          name: 'shared',
          include: ['packages/*/test/**/*.test.ts', 'scripts/test/*.test.ts'],
          exclude: ['**/*.isolated.test.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        ...fromSource,
        test: {
          name: 'isolated',
          include: ['packages/*/test/**/*.isolated.test.ts'],
        },
      },
      // Benchmarks measure the built packages as Node loads them, as a user's program or a
      // user's own tests (which import them from node_modules) run them: Vite's transform of
      // the sources rewrites every imported call into a property read and costs about 2×.
      {
        extends: true,
        test: {
          name: 'bench',
          include: [],
          server: { deps: { external: [/\/packages\/[^/]+\/dist\//] } },
        },
      },
    ],
    setupFiles: ['reflect-metadata'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: Object.fromEntries(
        Object.entries(gates).map(([pkg, gate]) => [`packages/${pkg}/src/**/*.ts`, gate]),
      ),
    },
  },
});
