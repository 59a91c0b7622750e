/**
 * How deep a migrated state may nest, and that every entry point refuses a deeper one the same way —
 * as data, never as a `RangeError` from the call stack (a public-API suite found 20,000 levels threw
 * from `migrate`, `restoreEnvelope` and `runtime.start({ envelope })` while `swap` refused).
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, type HotswapError, lineage, migrate, type PersistedSnapshot, restoreEnvelope } from '../../src/index.ts';
import { MAX_STATE_DEPTH } from '../../src/migrate/_internal/freeze.ts';
import { driverV1, driverV2 } from '../fixtures/driver.ts';

/** `levels` objects, each the only field of the one above. */
const nested = (levels: number): object => {
  let o: object = {};
  for (let i = 1; i < levels; i++) o = { o };
  return o;
};

/** The driver, whose v1 → v2 link adds `deep` nested `levels` levels below `context`. */
const withDeep = (levels: number) =>
  lineage('driver', driverV1).next(driverV2, {
    up: ({ value, context }) => ({ value, context: { ...context, retries: 0, deep: nested(levels) } }) as never,
    down: ({ value, context }) => ({ value, context: { queue: context.queue, completed: context.completed } }) as never,
  });

const idle: PersistedSnapshot = { status: 'active', value: 'idle', context: { queue: [], completed: 0 }, children: {}, historyValue: {} };

describe('migrate: nesting depth', () => {
  // verify's plain-data check (the envelope's rules) finds it before anything freezes the output
  const refusal = {
    kind: 'unpersistable-value',
    link: { from: 1, to: 2 },
    found: 'nesting deeper than 512 levels (counted from the envelope)',
  };

  it('refuses 20,000 levels with one blocker from migrate, restoreEnvelope, runtime.start and swap alike', async () => {
    const l = withDeep(20_000);
    const r = migrate(l, idle, { from: 1, to: 2 });
    expect(r.ok === false && r.blockers).toEqual([expect.objectContaining(refusal)]);
    // the message names the place without printing 500 path segments
    expect(r.ok === false && r.blockers[0]!.message.length).toBeLessThan(400);

    const runtime = createRuntime();
    const c = runtime.start(l, { version: 1 });
    const envelope = c.persist();
    const restored = restoreEnvelope(l, envelope);
    expect(restored.ok === false && restored.error.code).toBe('MIGRATION_REFUSED');
    expect(restored.ok === false && restored.blockers).toEqual([expect.objectContaining(refusal)]);

    let thrown: unknown;
    try {
      runtime.start(l, { envelope, id: 'restored' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'HotswapError', code: 'MIGRATION_REFUSED' });
    expect((thrown as HotswapError).details?.['blockers']).toEqual([expect.objectContaining(refusal)]);

    const report = await c.swap(2);
    expect(report).toMatchObject({ outcome: 'refused', phase: 'verify', blockers: [expect.objectContaining(refusal)] });
    await runtime.stop();
  });

  it('accepts a state nested right up to the limit, which persist() can write', async () => {
    const l = withDeep(MAX_STATE_DEPTH); // `deep` sits one level below `context`
    expect(migrate(l, idle, { from: 1, to: 2 }).ok).toBe(true);
    expect(migrate(withDeep(MAX_STATE_DEPTH + 1), idle, { from: 1, to: 2 }).ok).toBe(false);
    const runtime = createRuntime();
    const c = runtime.start(l, { version: 1 });
    expect((await c.swap(2)).outcome).toBe('committed');
    expect(restoreEnvelope(l, c.persist(), { to: 2 }).ok).toBe(true);
    await runtime.stop();
  });

  it('refuses an input snapshot nested deeper than the limit as data, not a RangeError', () => {
    const deepInput = { ...idle, context: { queue: [], completed: 0, deep: nested(20_000) } };
    const r = migrate(lineage('driver', driverV1).next(driverV2, { up: (s) => ({ value: 'idle' as const, context: { ...s.context, retries: 0 } }) }), deepInput, { from: 1, to: 2 });
    expect(r.ok === false && r.blockers.map((b) => b.message)).toEqual([
      `aborted: the snapshot to migrate nests deeper than ${MAX_STATE_DEPTH} levels below \`value\` or \`context\``,
    ]);
  });
});
