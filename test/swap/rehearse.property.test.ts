/**
 * A rehearsal and the real swap that follows it at once agree: same outcome, same refusing phase,
 * same blockers — over random reachable states (a count of INCs), random links (good, a forgotten
 * field, a throw, an unpersistable value), an invariant, and random ledgers (a runtime timer the new
 * version may not handle, under each timer policy). Fixed seed; prints what it covered.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyLineage, createRuntime, ManualClock, type SwapPolicies } from '../../src/index.ts';
import { fcParams, seed } from '../_support/fc.ts';
import { base, baseWithTick, type V1, withV2 } from './_support/rehearse-lineage.ts';

const LINKS = {
  good: ({ value, context }: { value: unknown; context: V1 }) => ({ value, context: { ...context, step: 1 } }),
  forgets: ({ value, context }: { value: unknown; context: V1 }) => ({ value, context: { ...context } }),
  throws: () => {
    throw new Error('link failed');
  },
  unpersistable: ({ value, context }: { value: unknown; context: V1 }) => ({ value, context: { ...context, step: 1, seen: new Set() } }),
} as const;

const scenario = fc.record({
  incs: fc.nat({ max: 12 }),
  link: fc.constantFrom(...(Object.keys(LINKS) as (keyof typeof LINKS)[])),
  invariant: fc.boolean(),
  timer: fc.constantFrom('none', 'handled', 'unhandled'),
  timers: fc.constantFrom<NonNullable<SwapPolicies['timers']>>('carry', 'cancel', 'block'),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function lineageFor(s: Scenario): AnyLineage {
  const invariant = ({ context }: { context: { n: number } }) => (context.n <= 6 ? true : [{ path: 'context.n', message: 'at most 6' }]);
  return withV2({ from: s.timer === 'none' ? base : baseWithTick, up: LINKS[s.link] as never, tick: s.timer === 'handled', ...(s.invariant ? { invariant } : {}) });
}

describe('rehearsal ≡ the swap that follows', () => {
  it('agrees on outcome, phase and blockers', async () => {
    const covered = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const clock = new ManualClock();
        const timers = s.timer === 'none' ? [] : [{ kind: 'timer' as const, id: 'tick', handler: 'tick', delayMs: 1000, remainingMs: 1000 }];
        const c = createRuntime({ clock }).start(s.timer === 'none' ? base : baseWithTick, { version: 1, timers });
        for (let i = 0; i < s.incs; i++) c.send({ type: 'INC' });
        const l = lineageFor(s);
        const policies: SwapPolicies = { timers: s.timers };
        const r = c.rehearse(2, { lineage: l, policies });
        const report = await c.swap(2, { lineage: l, policies });
        expect(r.ok).toBe(report.outcome === 'committed');
        if (!r.ok) {
          expect(r.phase).toBe(report.phase);
          expect(r.blockers).toEqual(report.blockers);
        }
        const key = r.ok ? 'ok' : `${r.phase}: ${[...new Set(r.blockers.map((b) => b.kind))].join('+')}`;
        covered.set(key, (covered.get(key) ?? 0) + 1);
      }),
      fcParams(120),
    );
    console.log(`rehearsal ≡ swap, seed ${seed}:\n${[...covered].sort().map(([k, n]) => `  ${k}: ${n}`).join('\n')}`);
    expect(covered.size).toBeGreaterThan(3);
  });
});
