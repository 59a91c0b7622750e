/**
 * Type tests for `defineCheckConfig` (src/check/config.ts) and the testing kit's typed input and clock:
 * compiled by `tsc -p .` and vitest's typecheck mode. Each `@ts-expect-error` was checked by removing it
 * and watching `tsc` fail on that line.
 */
import fc from 'fast-check';
import { describe, expectTypeOf, it } from 'vitest';
import { type CheckConfig, defineCheckConfig } from '../../src/check/index.ts';
import { setup } from 'xstate';
import { defineVersion, ManualClock } from '../../src/index.ts';
import type { InputOf, ScenarioKit, SwapScenario } from '../../src/testing/index.ts';
import { sampleReachable } from '../../src/testing/index.ts';
import { driver, driverV1 } from '../fixtures/driver.ts';

describe('defineCheckConfig', () => {
  it("accepts the machine's own events, whole or per version, and returns a CheckConfig", () => {
    const config = defineCheckConfig([driver], {
      events: {
        driver: fc.oneof(fc.record({ type: fc.constant('ENQUEUE' as const), id: fc.constantFrom('a', 'b') }), fc.constantFrom({ type: 'START' as const }, { type: 'CANCEL' as const })),
      },
      maxEvents: 10,
    });
    expectTypeOf(config).toEqualTypeOf<CheckConfig>();
    defineCheckConfig([driver], { events: { driver: { 1: fc.constant({ type: 'START' as const }), 3: fc.constant({ type: 'FAIL' as const }) } } });
  });

  it('refuses an event type no version accepts (a typo), a missing payload, an unknown component and an unknown version', () => {
    // @ts-expect-error: 'STRAT' is no event of the driver
    defineCheckConfig([driver], { events: { driver: fc.constant({ type: 'STRAT' as const }) } });
    // @ts-expect-error: ENQUEUE needs its `id`
    defineCheckConfig([driver], { events: { driver: fc.constant({ type: 'ENQUEUE' as const }) } });
    // @ts-expect-error: no component is called `drivr`
    defineCheckConfig([driver], { events: { drivr: fc.constant({ type: 'START' as const }) } });
    // @ts-expect-error: the driver has no version 4
    defineCheckConfig([driver], { events: { driver: { 4: fc.constant({ type: 'START' as const }) } } });
    // @ts-expect-error: a typo inside `fc.constantFrom` is caught too
    defineCheckConfig([driver], { events: { driver: fc.constantFrom({ type: 'START' as const }, { type: 'SETT' as const }) } });
  });
});

describe('the testing kit', () => {
  it("types `input` by the version's machine and gives scenario actions the run's clock", () => {
    const withInput = defineVersion({
      version: 1,
      machine: setup({ types: { context: {} as { limit: number }, input: {} as { limit: number } } }).createMachine({ context: ({ input }) => input }),
    });
    expectTypeOf<InputOf<typeof withInput>>().toEqualTypeOf<{ limit: number }>();
    sampleReachable(withInput, { runs: 1, seed: 1, input: { limit: 3 } });
    // @ts-expect-error: `limit` is a number
    sampleReachable(withInput, { runs: 1, seed: 1, input: { limit: '3' } });
    sampleReachable(driverV1, { runs: 1, seed: 1 });
    expectTypeOf<ScenarioKit['clock']>().toEqualTypeOf<ManualClock>();
    const scenario: SwapScenario = { lineage: driver, clock: new ManualClock(), actions: { tick: (_c, _i, kit) => kit.clock.advance(1) } };
    expectTypeOf(scenario.clock).toEqualTypeOf<ManualClock | undefined>();
    expectTypeOf(new ManualClock().advanceAsync(1)).toEqualTypeOf<Promise<void>>();
  });
});
