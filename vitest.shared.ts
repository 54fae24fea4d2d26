import { defineConfig } from 'vitest/config';

/**
 * Test settings shared by every package: workspace packages resolve to their TypeScript source
 * (the `tollgate-source` export condition), so tests never run against a stale `dist/`.
 */
export function packageTestConfig(include: string[] = ['test/**/*.test.ts']) {
  return defineConfig({
    resolve: { conditions: ['tollgate-source', 'import', 'module', 'node', 'default'] },
    ssr: { resolve: { conditions: ['tollgate-source', 'import', 'module', 'node', 'default'] } },
    test: {
      include,
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  });
}
