/**
 * The kit reaches what a real start gives a machine: its `input` (a machine whose context is
 * `({ input }) => …` starts from it, in generated states, ready-made properties and swap scenarios), and
 * a scenario reaches the run's clock (its own, or the kit's through its actions).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { defineVersion, lineage, ManualClock } from '../../src/index.ts';
import { runSwapScenario, sampleReachable, totalityProperty, type SwapCommand } from '../../src/testing/index.ts';

type QuotaEvent = { type: 'USE' } | { type: 'RESET' };

/** v1 takes its limit from input; v2 adds `left`, computed from it. */
const quotaV1 = setup({
  types: { context: {} as { limit: number; used: number }, events: {} as QuotaEvent, input: {} as { limit: number } },
}).createMachine({
  id: 'quota',
  initial: 'open',
  context: ({ input }) => ({ limit: input.limit, used: 0 }),
  states: {
    open: {
      tags: ['swappable'],
      on: {
        USE: [
          { guard: ({ context }) => context.used + 1 >= context.limit, target: 'full', actions: assign({ used: ({ context }) => context.used + 1 }) },
          { actions: assign({ used: ({ context }) => context.used + 1 }) },
        ],
      },
    },
    full: { tags: ['swappable'], on: { RESET: { target: 'open', actions: assign({ used: 0 }) } } },
  },
});
const quotaV2 = setup({
  types: { context: {} as { limit: number; used: number; left: number }, events: {} as QuotaEvent, input: {} as { limit: number } },
}).createMachine({
  id: 'quota',
  initial: 'open',
  context: ({ input }) => ({ limit: input.limit, used: 0, left: input.limit }),
  states: {
    open: { tags: ['swappable'], on: { USE: { actions: assign({ used: ({ context }) => context.used + 1 }) } } },
    full: { tags: ['swappable'], on: { RESET: { target: 'open' } } },
  },
});
const quotaVersion1 = defineVersion({ version: 1, machine: quotaV1 });
const quota = lineage('quota', quotaVersion1).next(
  defineVersion({
    version: 2,
    machine: quotaV2,
    shape: { limit: true, used: true, left: true },
    invariant: ({ context }) => (context.left >= 0 ? [] : [{ path: 'context.left', message: `must be >= 0, got ${context.left}` }]),
  }),
  {
    up: ({ value, context }) => ({ value, context: { ...context, left: context.limit - context.used } }),
    down: ({ value, context: { left: _left, ...context } }) => ({ value, context }),
  },
);

describe('machine input', () => {
  it('starts every generated state from the given input', () => {
    const states = sampleReachable(quota.get(1)!, { runs: 30, seed: 7, input: { limit: 3 } });
    expect(states[0]).toBeDefined();
    for (const s of states) {
      expect(s.snapshot.status).toBe('active');
      expect((s.snapshot.context as { limit: number }).limit).toBe(3);
    }
    // reached `full` (3 uses), so the input really drove the guard
    expect(states.some((s) => s.snapshot.value === 'full')).toBe(true);
  });

  it('without input, the context factory fails: every state is an XState error state (why input is needed)', () => {
    const states = sampleReachable(quota.get(1)!, { runs: 5, seed: 7 });
    expect(states.every((s) => s.snapshot.status === 'error')).toBe(true);
  });

  it('makes a ready-made property pass that fails without it', () => {
    const params = { seed: 11, numRuns: 40 };
    expect(() => fc.assert(totalityProperty(quota, { from: 1, to: 2, input: { limit: 2 } }), params)).not.toThrow();
    expect(() => fc.assert(totalityProperty(quota, { from: 1, to: 2 }), params)).toThrow();
  });

  it('is typed against the machine: an input of the wrong shape does not compile', () => {
    // @ts-expect-error: `limit` must be a number
    sampleReachable(quotaVersion1, { runs: 1, seed: 1, input: { limit: 'three' } });
    expect(true).toBe(true);
  });
});

describe('swap scenarios', () => {
  it('start the component with the scenario input and run on the scenario clock, which actions reach', async () => {
    const clock = new ManualClock(1_000);
    const seen: number[] = [];
    const commands: SwapCommand<QuotaEvent>[] = [
      { kind: 'send', event: { type: 'USE' } },
      { kind: 'tick', ms: 50 },
      { kind: 'act', name: 'stamp', index: 0 },
      { kind: 'swap', target: 2, policies: {} },
      { kind: 'send', event: { type: 'USE' } },
    ];
    const result = await runSwapScenario(
      {
        lineage: quota,
        input: { limit: 5 },
        clock,
        actions: { stamp: (_c, _i, kit) => seen.push(kit.clock.now()) },
      },
      commands,
      { events: fc.constant({ type: 'USE' } as QuotaEvent) },
    );
    expect(result.violations).toEqual([]);
    expect(seen).toEqual([1_050]);
    expect(result.reports.map((r) => r.outcome)).toEqual(['committed']);
    expect(result.accepted).toBe(2);
  });
});
