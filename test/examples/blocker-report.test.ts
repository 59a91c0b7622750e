import { expect, it } from 'vitest';
import { runExample } from './_run.ts';

it('examples/blocker-report.ts prints the quiesce refusal for an in-flight promise and a lease, then commits once they clear', async () => {
  const r = await runExample('blocker-report');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const report = r.stdout.match(
    new RegExp(
      [
        'swap driver v1 → v2 refused after (\\d+) ms wall time \\(quiesce\\):',
        '  not quiescent after (\\d+) ms of runtime-clock time',
        "  invoked actor '[^']+' \\(src readSector\\) in flight for \\d+ ms; policy: wait",
        "  outstanding borrow of 'DriverState' held by 'scheduler queue' for \\d+ ms; policy: wait",
      ].join('\\n'),
    ),
  );
  expect(report).not.toBeNull();
  // refused at the 250 ms deadline (counted from the swap call), not before — give or take the 1 ms a
  // Node timer may fire early (it counts from the event loop's cached millisecond, taken at the start of
  // the loop's turn, not from the call); the upper bound only guards against a missing deadline, not
  // timing (the machine is shared and noisy)
  for (const ms of [Number(report![1]), Number(report![2])]) {
    expect(ms).toBeGreaterThanOrEqual(249);
    expect(ms).toBeLessThan(2000);
  }
  expect(r.stdout).toContain('outcome: refused in phase quiesce; blocker kinds: quiesce-timeout, in-flight, lease-outstanding');
  expect(r.stdout).toContain("driver still v1, state 'reading', lease held");
  expect(r.stdout).toMatch(/swap driver v1 → v2 committed: paused [\d.]+ ms wall time, 0 events held/);
  expect(r.stdout).toContain("driver now v2, state 'idle', reads 1, last sector 7");
  expect(r.stdout).toContain('journal: refused, committed');
});
