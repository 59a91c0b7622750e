/**
 * G1 across the worker boundary: whatever mix of drained replacements (committed or refused),
 * in-worker swaps and event bursts, every accepted event is processed exactly once, in acceptance
 * order, by exactly one worker. Bounded runs (each replacement starts a worker); the seed is
 * test/_support/fc.ts's.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostInWorker, type WorkerComponent } from '../../src/worker/index.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { fcParams } from '../_support/fc.ts';
import { contextOf, fixture, until } from './_support.ts';

type Step =
  | { readonly kind: 'burst'; readonly count: number }
  | { readonly kind: 'replace'; readonly version: 1 | 2 }
  | { readonly kind: 'refused-replace' }
  | { readonly kind: 'in-worker'; readonly version: 1 | 2 };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('burst' as const), count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('replace' as const), version: fc.constantFrom(1 as const, 2 as const) }),
  fc.constant({ kind: 'refused-replace' as const }),
  fc.record({ kind: fc.constant('in-worker' as const), version: fc.constantFrom(1 as const, 2 as const) }),
);

describe('swap safety of worker-hosted components (G1)', () => {
  let c: WorkerComponent<CounterEvent>;
  let next = 0;
  beforeAll(async () => {
    c = await hostInWorker<CounterEvent>({ module: fixture('counter-v2'), component: 'counter', version: 1 });
  });
  afterAll(() => c.stop());

  it('processes every accepted event exactly once, in order, across replacements and refusals', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 4 }), async (steps) => {
        const send = (k: number): void => {
          for (let i = 0; i < k; i++) c.send({ type: 'ADD', n: next++ });
        };
        for (const s of steps) {
          if (s.kind === 'burst') {
            send(s.count);
            continue;
          }
          const swapping =
            s.kind === 'replace'
              ? c.swap({ module: fixture('counter-v2'), version: s.version })
              : s.kind === 'refused-replace'
                ? c.swap({ module: fixture('counter-v3-bad'), version: 3 })
                : c.swap(s.version);
          send(5); // while the candidate loads (or the in-worker swap is queued)
          const pump = setInterval(() => send(1), 2);
          const report = await swapping;
          clearInterval(pump);
          if (s.kind === 'refused-replace') expect(report.outcome).toBe('refused');
          send(3);
        }
        await until(c, (snap) => (snap.context as { log: number[] }).log.length === next);
        expect(contextOf(c).log).toEqual(Array.from({ length: next }, (_, i) => i));
      }),
      fcParams(3),
    );
  });
});
