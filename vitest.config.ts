import { defineConfig } from 'vitest/config';

// This repository's tests run the TypeScript sources, never a possibly stale dist/: `hotswap` and
// `hotswap/testing` resolve through the `source` export condition (package.json) to src/.
const source = 'source';

export default defineConfig({
  // Tests run in Vite's server (`ssr`) environment, whose conditions Vitest sets itself, so top-level
  // `resolve.conditions` would not reach them; these are added to Vitest's defaults (node, development),
  // and Vitest also passes them to its workers as `--conditions`.
  ssr: { resolve: { conditions: [source] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests run hundreds of swaps; give them room, but keep the whole suite bounded.
    testTimeout: 120_000,
    hookTimeout: 30_000,
    // Child processes the tests start (bin/hotswap.js, the examples) resolve `hotswap` to src/ too.
    env: { NODE_OPTIONS: [process.env['NODE_OPTIONS'], `--conditions=${source}`].filter(Boolean).join(' ') },
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
