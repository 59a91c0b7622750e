import { expect, it } from 'vitest';
import { runExample } from './_run.ts';

// `npm run demo` with shorter pauses between the steps (the steps are the same; each worker swap from
// the sources still takes 1–3 s on a loaded machine; a probation still pending when the next swap starts
// is made permanent by it)
it('examples/demo.ts serves HTTP load through v1 → v2 → v3, refuses a broken and a buggy v4, rolls back a flawed v4 on probation, 0 failed, exactly once', async () => {
  const r = await runExample('demo', ['--step-ms', '500', '--connections', '8'], 90_000);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = r.stdout;
  const sent = Number(/^requests: +sent ([\d,]+) · succeeded ([\d,]+) .* · failed 0$/m.exec(out)?.[1]?.replaceAll(',', ''));
  expect(sent).toBeGreaterThan(0);
  expect(out).toContain(`succeeded ${sent.toLocaleString('en-US')} `);
  expect(out).toMatch(/^ {2}1\. copy rate-limiter-v2\.ts +committed +pause [\d.]+ ms, held \d+/m);
  expect(out).toMatch(/^ {2}2\. copy rate-limiter-v3\.ts +committed +pause [\d.]+ ms, held \d+/m);
  expect(out).toMatch(/^ {2}3\. write a half-copied rate-limiter-v4\.ts +refused +at plan: candidate-failed: .*failed to load \(rate-limiter-v4\.ts:\d+:\d+: ERROR: /m);
  expect(out).toMatch(/^ {2}4\. copy rate-limiter-v4\.ts .* refused +at verify: invariant-violation: v4 invariant violated at 'context\.seq\.processed'/m);
  // committed, then failed the server's health check within its probation and rolled back to v3 under load
  const rb = /^ {2}5\. copy flawed\/rate-limiter-v4\.ts \(it throttles every request\) +rolled-back committed \(pause [\d.]+ ms, held \d+, [\d.]+ ms in all\), then failed its probation after \d+ ms: health: v4 answered its last ([\d,]+) requests with 429, admitting none through 2 refills of every bucket; ([\d,]+) requests redelivered to v3, switched back in [\d.]+ ms$/m.exec(out);
  expect(rb).not.toBeNull();
  const [throttledByV4, redelivered] = [Number(rb![1]!.replaceAll(',', '')), Number(rb![2]!.replaceAll(',', ''))];
  expect(throttledByV4).toBeGreaterThanOrEqual(20);
  expect(redelivered).toBeGreaterThanOrEqual(throttledByV4); // every request v4 processed, and those it had not yet
  expect(out).toMatch(/^\[ *[\d.]+s\] rolled back v4 → v3: health: /m);
  expect(out).toMatch(/refused at load rate-limiter-v4\.ts: syntax-error/);
  // each version decided requests, so every swap happened under load; v3 served through the refusals and after the rollback
  const v4 = /^decided by: v1 [\d,]+ · v2 [\d,]+ · v3 [\d,]+ · v4 ([\d,]+)$/m.exec(out);
  expect(v4).not.toBeNull();
  // v4's answers stand (a rollback does not undo them; mostly 429s, a few 200s on what v3 left in the buckets), and v3 re-decided those requests once
  expect(out).toMatch(new RegExp(`^probation: +every swap on probation for 2,000 ms; v4 rolled back — its ${v4![1]} answers \\([\\d,]+ × 429\\) stand, a rollback does not undo them; the limiter re-decided those requests once \\(admitted [\\d,]+, throttled [\\d,]+\\)$`, 'm'));
  expect(out).toMatch(new RegExp(`^exactly once: accepted ${sent.toLocaleString('en-US')}, processed ${sent.toLocaleString('en-US')} \\(counted by the limiter across 3 migrations and 1 rollback\\): lost 0, duplicated 0;`, 'm'));
  expect(out).toMatch(/^latency: +outside swap attempts p50 [\d.]+ ms, p99 [\d.]+ ms/m);
  expect(out).toMatch(/^ +during swap attempts +p50 [\d.]+ ms, p99 [\d.]+ ms/m);
  expect(out).toMatch(/^serving: +v3$/m);
  expect(out).toMatch(/^heap: +main thread [\d.]+ MB before the reloads, [\d.]+ MB after/m);
  expect(out).toMatch(/^journal: +.*journal\.jsonl — 6 entries: v1→v2 committed, v2→v3 committed, v3→v4 refused, v3→v4 refused, v3→v4 committed, v4→v3 rolled-back$/m);
  expect(out).toMatch(/^proved: [\d,]+ requests, 0 failed/m);
}, 100_000);

it('examples/demo.ts refuses a bad option with exit code 2', async () => {
  const r = await runExample('demo', ['--connections', '0']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('Expected --connections, --step-ms, --probation-ms and --max-seconds to be positive numbers');
});
