import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// One config for the whole repo: `npm test` runs every package's unit (*.test.ts) and
// integration (*.int.test.ts) tests. Workspace packages resolve to their TypeScript sources
// through the "development" export condition, so tests never need a build first.
export default defineConfig({
  resolve: { conditions: ['development', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['development', ...defaultServerConditions] } },
  test: {
    include: ['{apps,packages}/*/{src,test}/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
