import { expect, it } from 'vitest';
import { runExample } from './_run.ts';

it('examples/plugin-watch.ts refuses a buggy and a broken file while v3 serves, swaps to the good v4, and reverts when its file is removed', async () => {
  const r = await runExample('plugin-watch');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toBe('[plugins] loaded rate-limiter-v4.ts: v4');
  expect(lines[1]).toMatch(/^\[plugins\] swap v3 → v4 refused: v4 invariant violated at 'context\.stats\.processed'/);
  expect(lines.slice(2)).toEqual([
    'still v3, processed 170',
    '[plugins] refused rate-limiter-v5.ts: syntax-error',
    '[plugins] removed rate-limiter-v5.ts: forgotten',
    '[plugins] loaded rate-limiter-v4.ts: v4',
    '[plugins] swapped v3 → v4',
    'now v4: processed 190, VIP admitted 20',
    '[plugins] removed rate-limiter-v4.ts: reverting',
    '[plugins] swapped v4 → v3',
    'back at v3',
    'journal: v3→v4 refused, v3→v4 committed, v4→v3 committed',
  ]);
});
