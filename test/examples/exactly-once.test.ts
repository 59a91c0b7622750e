import { describe, expect, it } from 'vitest';
import { runExample } from './_run.ts';

describe('examples/exactly-once/main.ts', () => {
  it('swaps the rate limiter under load with nothing lost or duplicated, one swap refused, and exits 0', async () => {
    // A smaller load than `npm run demo`, but still sent concurrently with every swap.
    const r = await runExample('exactly-once/main', ['--events', '20000', '--rate', '20000'], 60_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^events sent: +20000 in /m);
    expect(out).toMatch(/^processed: +20000 \(counted by the machine, carried through 4 migrations\)/m);
    expect(out).toMatch(/^lost: +0$/m);
    expect(out).toMatch(/^duplicated: +0$/m);
    expect(out).toMatch(/^journal entries: +5 \(4 committed, 1 refused\)/m);
    for (const [n, label, outcome] of [
      [1, 'v1 → v2', 'committed'],
      [2, 'v2 → v3', 'committed'],
      [3, 'v3 → v4 \\(broken plugin\\)', 'refused'],
      [4, 'revert v3 → v2', 'committed'],
      [5, 'v2 → v3 again', 'committed'],
    ] as const) {
      expect(out).toMatch(new RegExp(`^  ${n}\\. ${label} +${outcome} +at event +\\d+: pause +[\\d,]+ \\(quiesce +[\\d,]+, swap +[\\d,]+\\), held +\\d+; `, 'm'));
    }
    // every swap ran while the load generator was still sending
    const at = [...out.matchAll(/at event +(\d+):/g)].map((m) => Number(m[1]));
    expect(at).toHaveLength(5);
    for (const n of at) expect(n).toBeLessThan(20000);
    expect(out).toMatch(/swap rate-limiter v3 → v4 refused after \d+ ms wall time \(verify\):\n {4}v4 invariant violated at 'context\.stats\.processed': must equal admitted \+ throttled \(0 \+ \d+\), got \d+/);
    expect(out).toMatch(/carried timer window \+ after refill/);
    expect(out).toMatch(/^proved: 20000 events across 5 swap attempts/m);
  }, 70_000);

  it('rejects a bad --events value with exit code 2', async () => {
    const r = await runExample('exactly-once/main', ['--events', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected --events and --rate to be positive numbers');
  });
});
