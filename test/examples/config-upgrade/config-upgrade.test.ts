import { expect, it } from 'vitest';
import { runExample } from '../_run.ts';

it('examples/config-upgrade goes v1 → v2 → v3 live, refuses v4 on its invariant, and a second process cold-restores v3 and a v1 envelope with their remaining refresh time', async () => {
  const r = await runExample('config-upgrade/main');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = r.stdout;
  expect(out).toContain('SET timeoutMs 8000 → v1 {"upstream":"https://billing.internal/api","timeoutMs":8000,"retries":2,"refreshes":0}');
  expect(out).toContain('swap v1 → v2 committed (schema validated): v2 {"upstream":"https://billing.internal/api","timeout":{"connect":2000,"read":8000},"retries":2,"refreshes":0}');
  expect(out).toContain('swap v2 → v3 committed (schema validated): v3 {"upstream":"https://billing.internal/api","timeout":{"connect":2000,"read":8000},"retry":{"attempts":2,"backoffMs":200},"refreshes":0}');
  expect(out).toMatch(/swap config v3 → v4 refused after \d+ ms wall time \(verify\):\n {2}v4 invariant violated at 'context\.budgetMs': must be at most 30000 ms, got 42000 \(connect 2000 \+ read 8000 × 5 attempts\)\nstill serving v3 /);
  expect(out).toContain('saved search-config at v1 (refresh due in 40000 ms)');
  expect(out).toContain('saved billing-config at v3 (refresh due in 25000 ms)');
  expect(out).toContain('process 2 runs config up to v3');
  expect(out).toMatch(/^restored billing-config \(saved at v3, \d+ ms ago\) as v3 \{"upstream":"https:\/\/billing\.internal\/api","timeout":\{"connect":2000,"read":8000\},"retry":\{"attempts":4,"backoffMs":250\},"refreshes":0\}\n {2}refresh re-armed: due in 25000 ms/m);
  expect(out).toMatch(/^restored search-config \(saved at v1, \d+ ms ago\) as v3 \{"upstream":"https:\/\/billing\.internal\/api","timeout":\{"connect":2000,"read":5000\},"retry":\{"attempts":2,"backoffMs":200\},"refreshes":0\}\n {2}refresh re-armed: due in 40000 ms/m);
  expect(out).toContain('+24999 ms: refreshes billing-config 0, search-config 0');
  expect(out).toContain('+25000 ms: refreshes billing-config 1, search-config 0');
});
