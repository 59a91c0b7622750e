/**
 * G1, G2, G3, G4, G6 as properties, through the kit's swap-safety property (hotswap/testing):
 * random interleavings of sends, clock ticks, promise settlements, borrows/releases and swaps (from
 * outside, and from an observer while XState is still processing an event) to
 * random versions with random policies — including versions whose migration throws, breaks the
 * invariant, or maps to a missing state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSwapScenario, type SwapCommand, swapCommands, swapSafetyProperty, type SwapScenario } from '../../src/testing/index.ts';
import { fcParams } from '../_support/fc.ts';
import { driver, type DriverEvent } from '../fixtures/driver.ts';
import { makeLoader, type LoaderEvent } from '../fixtures/loader.ts';
import { nestedFixture } from '../fixtures/nested.ts';

const loaderEvents: fc.Arbitrary<LoaderEvent> = fc.oneof(
  fc.record({ type: fc.constant('LOAD' as const), url: fc.constantFrom('a', 'b1', 'forbidden', 'c') }),
  fc.constant({ type: 'RESET' as const }),
  fc.record({ type: fc.constant('PING' as const), seq: fc.nat(99) }),
);

const driverEvents: fc.Arbitrary<DriverEvent> = fc.oneof(
  fc.record({ type: fc.constant('ENQUEUE' as const), id: fc.constantFrom('a', 'b', 'c') }),
  fc.constantFrom({ type: 'START' as const }, { type: 'CANCEL' as const }, { type: 'FAIL' as const }),
);

function loaderScenario(): SwapScenario {
  const { withBrokenVersions, calls } = makeLoader();
  return {
    lineage: withBrokenVersions(),
    actions: {
      resolve: (_c, i) => calls.filter((x) => !x.signal.aborted)[i % Math.max(1, calls.length)]?.resolve(`data${i}`),
      reject: (_c, i) => calls[i % Math.max(1, calls.length)]?.reject(new Error('network')),
    },
  };
}

describe('swap safety (G1 G2 G3 G4 G6)', () => {
  // Found by this property with the yield before `hold()` removed (a swap asked for from an observer
  // ran inside XState's step: the event was processed by the replaced actor after the commit).
  const policies = { delays: 'carry', timers: 'carry', promises: 'wait', leases: 'wait' } as const;
  const loaderInside: SwapCommand<LoaderEvent>[] = [{ kind: 'swap-inside', event: { type: 'PING', seq: 0 }, target: 5, policies }];
  const driverInside: SwapCommand<DriverEvent>[] = [{ kind: 'swap-inside', event: { type: 'START' }, target: 3, policies }];

  // Found by the soak at FC_SEED=8675309 (run 2,226, shrunk): a false G2 failure of the kit. The swap to
  // v1 is refused at once (swap-in-progress: the swap to v4 waits for a lease); the kit judged it only
  // when its `await` resumed, after 452 ms of ticks in which v1's refresh timer fired and its event was
  // held by the v4 swap — "changed pending deadlines" for a swap that changed nothing.
  const wait = { delays: 'carry', timers: 'carry', promises: 'wait', leases: 'wait' } as const;
  const refusedWhileTimeMovesOn: SwapCommand<LoaderEvent>[] = [
    { kind: 'borrow', handle: 0 },
    { kind: 'borrow', handle: 0 },
    { kind: 'swap-inside', event: { type: 'PING', seq: 0 }, target: 4, policies: wait },
    { kind: 'send', event: { type: 'LOAD', url: 'a' } },
    { kind: 'act', name: 'resolve', index: 0 },
    { kind: 'flush' },
    { kind: 'release' },
    { kind: 'tick', ms: 48 },
    { kind: 'swap', target: 1, policies: wait },
    { kind: 'tick', ms: 270 },
    { kind: 'tick', ms: 26 },
    { kind: 'tick', ms: 80 },
    { kind: 'tick', ms: 76 },
  ];

  it('judges a refused swap at its refusal point, not after the ticks that follow it', async () => {
    const r = await runSwapScenario(loaderScenario(), refusedWhileTimeMovesOn, { events: loaderEvents, mailboxCapacity: 2 });
    // the shape the counterexample needs: refused at once, then the other swap refused with the timer's event held
    expect(r.reports.map((x) => [x.to, x.phase, x.blockers.map((b) => b.kind).sort()])).toEqual([
      [1, 'plan', ['swap-in-progress']],
      [4, 'quiesce', ['lease-outstanding', 'quiesce-timeout']],
    ]);
    expect(r.reports[1]!.held).toBe(1);
    expect(r.violations).toEqual([]);
  });

  it('holds for the loader lineage with broken versions, under random interleavings', async () => {
    await fc.assert(
      swapSafetyProperty(loaderScenario, { events: loaderEvents, mailboxCapacity: 2 }),
      fcParams(300, { examples: [[loaderInside], [refusedWhileTimeMovesOn]] }),
    );
  });

  it('holds for the driver lineage (irreversible link, renamed state, carried delays)', async () => {
    await fc.assert(
      swapSafetyProperty(() => ({ lineage: driver }), { events: driverEvents, maxTickMs: 150 }),
      fcParams(300, { examples: [[driverInside]] }),
    );
  });

  it('holds with work in flight inside a child machine (waited for, aborted, or refused for adoption)', async () => {
    const gotEvents = fc.record({ type: fc.constant('GOT'), data: fc.constantFrom('a', 'b') });
    const scenario = (): SwapScenario => {
      const { l, settle } = nestedFixture({ tellParent: false });
      return { lineage: l, actions: { settle: (_c, i) => settle[i % Math.max(1, settle.length)]?.('done') } };
    };
    await fc.assert(swapSafetyProperty(scenario, { events: gotEvents, mailboxCapacity: 3 }), fcParams(150));
  });

  it('exercises commits, refusals and full mailboxes (the property is not vacuous)', async () => {
    let committed = 0;
    let refused = 0;
    let refusedSends = 0;
    let inside = 0;
    const samples = fc.sample(swapCommands(loaderScenario(), { events: loaderEvents }), { numRuns: 60, seed: 7 });
    // some swaps choose per promise with a function, as a caller may
    const swaps = samples.flat().filter((c) => c.kind === 'swap' || c.kind === 'swap-inside');
    expect(swaps.filter((c) => typeof c.policies.promises === 'function').length).toBeGreaterThan(5);
    for (const commands of samples) {
      const r = await runSwapScenario(loaderScenario(), commands, { events: loaderEvents, mailboxCapacity: 2 });
      expect(r.violations).toEqual([]);
      committed += r.reports.filter((x) => x.outcome === 'committed').length;
      refused += r.reports.filter((x) => x.outcome === 'refused').length;
      refusedSends += r.refusedSends;
      inside += r.inside;
    }
    console.log(`60 scenarios: ${committed} swaps committed, ${refused} refused, ${refusedSends} sends refused (mailbox full), ${inside} asked for from inside`);
    expect(inside).toBeGreaterThan(5);
    expect(committed).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
    expect(refusedSends).toBeGreaterThan(0);
  });
});
