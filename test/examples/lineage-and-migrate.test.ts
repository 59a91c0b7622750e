import { expect, it } from 'vitest';
import { runExample } from './_run.ts';

it('examples/lineage-and-migrate.ts migrates a v1 snapshot up and down and prints the refusals of broken links', async () => {
  const r = await runExample('lineage-and-migrate');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`v1 snapshot: state 'gaveUp', context {"attempts":3,"maxAttempts":3}`);
  expect(r.stdout).toContain(
    `migrate v1 → v3 (path v1→v2, v2→v3): state 'exhausted', context {"attempts":3,"policy":{"max":3,"backoffMs":100},"jitter":false}`,
  );
  expect(r.stdout).toContain(`migrate v3 → v2 (down): state 'exhausted', context {"attempts":3,"policy":{"max":3,"backoffMs":100}}`);
  expect(r.stdout).toContain(
    [
      'migrate retry-policy v1 → v2 refused:',
      "  migration v1 → v2 left field 'context.policy.backoffMs' undefined",
      "  state 'gaveUp' does not exist in v2",
      'blocker kinds: undefined-field, unmapped-state',
    ].join('\n'),
  );
  expect(r.stdout).toContain("  v2 invariant violated at 'context.attempts': exceeds policy.max 1\nblocker kinds: invariant-violation");
});
