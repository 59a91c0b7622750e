import { expect, it } from 'vitest';
import { runExample } from '../_run.ts';

it('examples/simulator-driver refuses the swap for the lease, then for the renamed interrupt handler, commits the fixed v2, and completes every request once', async () => {
  const r = await runExample('simulator-driver/main');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = r.stdout;
  expect(out).toMatch(/^t=80 ms: \d+ completed, \d+ in the driver; pending interrupt 'interrupt' → irqComplete; lease held$/m);
  expect(out).toMatch(/refused after \d+ ms wall time \(quiesce\):\n {2}outstanding borrow of 'DriverState' held by 'scheduler queue' for \d+ ms; policy: block\n→ refused at quiesce; blockers: lease-outstanding; driver v1/);
  expect(out).toMatch(/refused after \d+ ms wall time \(drain\):\n {2}pending timer 'interrupt' \(fires in \d+ ms\) targets handler 'irqComplete': v2 defines no handler 'irqComplete'\n→ refused at drain; blockers: pending-timer; driver v1/);
  expect(out).toMatch(/swap disk-driver v1 → v2 committed: paused [\d.]+ ms wall time, 0 events held; carried 1\n→ committed; blockers: none; driver v2/);
  expect(out).toMatch(/^simulation ended at t=\d+ ms: 40 of 40 requests completed, 40 distinct, 0 twice, 0 never$/m);
  expect(out).toMatch(/^completed by v1: (\d+), by v2: (\d+) /m);
  const [, v1, v2] = /^completed by v1: (\d+), by v2: (\d+) /m.exec(out)!;
  expect(Number(v1) + Number(v2)).toBe(40);
  expect(Number(v1)).toBeGreaterThan(0); // the swap happened mid-simulation
  expect(Number(v2)).toBeGreaterThan(0);
  expect(out).toContain('journal: v1→v2 refused, v1→v2 refused, v1→v2 committed');
  expect(out).toContain('checked: every request completed exactly once');
});
