// The user's vitest config. The one line that is only for this repository: `hotswap` resolves to its
// TypeScript sources here (the `source` export condition); in your repository, drop `ssr`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  ssr: { resolve: { conditions: ['source'] } },
  test: { include: ['test/**/*.test.ts'] },
});
