/**
 * Probation's exactly-once property: whatever the traffic before, during and after a swap on
 * probation, and whichever way the new version fails after the commit (its actor errors, it finishes,
 * its invariant or `health` fails) or not at all, the surviving version's count equals the number of
 * INC events the component accepted — none lost, none applied twice. Fixed seed; prints coverage.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRuntime, HotswapError, ManualClock } from '../../src/index.ts';
import { fcParams, seed } from '../_support/fc.ts';
import { base, withV2 } from '../swap/_support/rehearse-lineage.ts';

type Ev = { type: 'INC' } | { type: 'BOOM' } | { type: 'END' };
const traffic = fc.array(
  fc.oneof({ arbitrary: fc.constant<Ev>({ type: 'INC' }), weight: 12 }, { arbitrary: fc.constant<Ev>({ type: 'BOOM' }), weight: 1 }, { arbitrary: fc.constant<Ev>({ type: 'END' }), weight: 1 }),
  { maxLength: 12 },
);

describe('probation: every accepted event once', () => {
  it('holds over random traffic and failure kinds', async () => {
    const covered = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 5 }), traffic, fc.constantFrom('none', 'invariant', 'health'), fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined, freq: 4 }), async (before, after, check, limit) => {
        const clock = new ManualClock();
        const c = createRuntime({ clock }).start(base, { version: 1 });
        for (let i = 0; i < before; i++) c.send({ type: 'INC' });
        const bad = (n: number): boolean => limit !== undefined && n > before + limit;
        const v2 = withV2(check === 'invariant' ? { invariant: ({ context }) => (bad(context.n) ? [{ path: 'context.n', message: 'too many' }] : true) } : {});
        const health = check === 'health' ? ({ context }: { context: unknown }) => (bad((context as { n: number }).n) ? 'unhealthy' : undefined) : undefined;
        const report = await c.swap(2, { lineage: v2, probation: { ms: 1000, ...(health === undefined ? {} : { health }) } });
        expect(report.outcome).toBe('committed');
        const settled = c.probation!.settled;
        let accepted = before;
        for (const e of after) {
          try {
            c.send(e);
            if (e.type === 'INC') accepted++;
          } catch (error) {
            expect(error).toBeInstanceOf(HotswapError); // refused while the failed actor is stopped: not accepted
          }
          await Promise.resolve(); // a rollback may run between events
        }
        clock.advance(1000);
        const out = await settled;
        const snap = c.getSnapshot() as { status: string; context: { n: number } };
        expect(snap.context.n).toBe(accepted);
        expect(c.version).toBe(out.outcome === 'rolled-back' ? 1 : 2);
        const key = out.outcome === 'rolled-back' ? `rolled-back: ${out.cause.kind}` : out.outcome;
        covered.set(key, (covered.get(key) ?? 0) + 1);
      }),
      fcParams(150),
    );
    console.log(`probation exactly-once, seed ${seed}:\n${[...covered].sort().map(([k, n]) => `  ${k}: ${n}`).join('\n')}`);
    expect(covered.size).toBeGreaterThanOrEqual(4);
  });
});
