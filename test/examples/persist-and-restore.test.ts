import { expect, it } from 'vitest';
import { runExample } from './_run.ts';

it('examples/persist-and-restore.ts restores a v1 envelope as v3 and fires its delay and timer after the remaining time', async () => {
  const r = await runExample('persist-and-restore');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = r.stdout;
  expect(out).toContain('v1 at t=30 ms: 120 requests, 100 admitted, 0 tokens left');
  expect(out).toMatch(/pending delay xstate\.after\.refill\.limiter\.open +20 of 50 ms left/);
  expect(out).toMatch(/pending timer window +70 of 100 ms left/);
  expect(out).toMatch(/saved <dir>\/limiter-1\.json \(\d+ bytes, hash [0-9a-f]{12}…\)/);
  expect(out).toContain("restored as v3 (state 'serving'): 120 requests, 0 tokens, sequence up to 120");
  expect(out).toMatch(/re-armed delay xstate\.after\.refill\.limiter\.serving +fires in 20 ms/);
  expect(out).toMatch(/re-armed timer window +fires in 70 ms/);
  expect(out).toContain('t+19 ms: tokens 0 (refill not yet due)');
  expect(out).toContain('t+20 ms: tokens 100 (refill fired after the remaining 20 ms, not a full 50)');
  expect(out).toContain("t+70 ms: state 'flushing' (stats window timer fired after the remaining 70 ms)");
});
