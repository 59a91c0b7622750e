import { expect, it } from 'vitest';
import { runExample } from './_run.ts';

it('examples/plugin-reload.ts refuses a misfit and a buggy plugin, then swaps the live limiter to a v4 loaded at run time and back', async () => {
  const r = await runExample('plugin-reload');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = r.stdout;
  expect(out).toContain('before: v3, processed 170, admitted 100, throttled 70, by client {"web":100}');
  expect(out).toContain('plugin with from: 2 refused: LINEAGE_VERSION_ORDER: ');
  expect(out).toMatch(/swap rate-limiter v3 → v4 refused after \d+ ms wall time \(verify\):\n {2}v4 invariant violated at 'context\.stats\.processed'/);
  expect(out).toContain('still v3');
  expect(out).toContain('extended lineage: v1, v2, v3, v4 (v4: VIP clients bypass the bucket)');
  expect(out).toMatch(/swap rate-limiter v3 → v4 committed: paused [\d.]+ ms wall time, 0 events held; carried 2/);
  expect(out).toContain('after: v4, processed 240, admitted 120, throttled 120, by client {"web":100,"admin":20}');
  expect(out).toContain('VIP admitted without tokens: 20 (admin); sequence gaps 0, repeats 0');
  expect(out).toMatch(/swap rate-limiter v4 → v3 committed/);
  expect(out).toContain('journal: v3→v4 refused, v3→v4 committed, v4→v3 committed');
});
