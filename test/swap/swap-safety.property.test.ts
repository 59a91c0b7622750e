/**
 * G1, G2, G3, G4, G6 as properties, through the kit's swap-safety property (hotswap/testing):
 * random interleavings of sends, clock ticks, promise settlements, borrows/releases and swaps (from
 * outside, and from an observer while XState is still processing an event) to
 * random versions with random policies — including versions whose migration throws, breaks the
 * invariant, or maps to a missing state. And the same safety with probation: random programs that swap
 * to versions failing after their commit (actor error, invariant on a live state, health), where every
 * accepted event's effect is present exactly once in the version that survives the rollbacks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRuntime, HotswapError, ManualClock, type ProbationOutcome, type SwapReport } from '../../src/index.ts';
import {
  type PolicyKind,
  runSwapScenario,
  type SwapCommand,
  swapCommands,
  SwapCoverage,
  type SwapCoverageSummary,
  swapSafetyProperty,
  type SwapScenario,
} from '../../src/testing/index.ts';
import { fcParams, seed, soak } from '../_support/fc.ts';
import { driver, type DriverEvent } from '../fixtures/driver.ts';
import { makeLoader, type LoaderEvent } from '../fixtures/loader.ts';
import { nestedFixture } from '../fixtures/nested.ts';
import { FAILING, failing, health, type LogEvent, TRIGGERS } from './_support/failing-lineage.ts';

const loaderEvents: fc.Arbitrary<LoaderEvent> = fc.oneof(
  fc.record({ type: fc.constant('LOAD' as const), url: fc.constantFrom('a', 'b1', 'forbidden', 'c') }),
  fc.constant({ type: 'RESET' as const }),
  fc.record({ type: fc.constant('PING' as const), seq: fc.nat(99) }),
);

const driverEvents: fc.Arbitrary<DriverEvent> = fc.oneof(
  fc.record({ type: fc.constant('ENQUEUE' as const), id: fc.constantFrom('a', 'b', 'c') }),
  fc.constantFrom({ type: 'START' as const }, { type: 'CANCEL' as const }, { type: 'FAIL' as const }),
);

/**
 * The property tested what it claims: commits are at least 30 % of the attempts, and every policy named
 * met an effect it had to act on (prints the coverage, so a soak run shows it per seed).
 */
function expectCoverage(name: string, coverage: SwapCoverage, policies: Partial<Record<PolicyKind, readonly string[]>>): SwapCoverageSummary {
  console.log(`${name}, seed ${seed}${soak ? ' (soak)' : ''}:\n${coverage.format()}`);
  const s = coverage.summary();
  expect(s.committed / s.attempts, `${name}: committed share`).toBeGreaterThanOrEqual(0.3);
  for (const [kind, names] of Object.entries(policies)) {
    for (const policy of names) expect(s.policies[kind as PolicyKind][policy] ?? 0, `${name}: ${kind} policy '${policy}' met an effect`).toBeGreaterThan(0);
  }
  return s;
}

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

  // Found by the soak at FC_SEED=7 (run 723, shrunk; the first swap's per-promise function, which met no
  // promise, written as 'wait'): another false G2 failure. v3 armed the refresh timer, due at 500; the swap
  // to v1 waits for the fetch until its deadline, also 500; the timer fires and, v3 having no refresh
  // handler, is recorded as late — gone at the refusal point, but not by the swap's doing.
  const timerDueAtRefusal: SwapCommand<LoaderEvent>[] = [
    { kind: 'settle' },
    { kind: 'swap', target: { other: 1 }, policies: { callbacks: 'restart', delays: 'cancel', timers: 'carry', promises: 'wait', leases: 'block' } },
    { kind: 'flush' },
    { kind: 'send', event: { type: 'LOAD', url: 'a' } },
    { kind: 'act', name: 'resolve', index: 0 },
    { kind: 'settle' },
    { kind: 'swap-inside', event: { type: 'PING', seq: 0 }, target: { other: 0 }, policies: { callbacks: 'restart', delays: 'cancel', timers: 'block', promises: 'wait', leases: 'revoke' } },
    { kind: 'tick', ms: 224 },
    { kind: 'send', event: { type: 'LOAD', url: 'a' } },
    { kind: 'tick', ms: 108 },
    { kind: 'flush' },
    { kind: 'tick', ms: 68 },
    { kind: 'settle' },
    { kind: 'swap', target: { other: 0 }, policies: { callbacks: 'restart', delays: 'cancel', timers: 'carry', promises: 'wait', leases: 'wait' } },
  ];

  it('does not blame a refused swap for a timer that came due by the time it was refused', async () => {
    const r = await runSwapScenario(loaderScenario(), timerDueAtRefusal, { events: loaderEvents, mailboxCapacity: 2 });
    expect(r.reports.map((x) => [x.from, x.to, x.outcome, x.phase])).toEqual([
      [1, 3, 'committed', undefined],
      [3, 1, 'refused', 'quiesce'],
      [3, 1, 'refused', 'quiesce'],
    ]);
    expect(r.reports[2]!.blockers.map((b) => b.kind).sort()).toEqual(['in-flight', 'quiesce-timeout']);
    expect(r.violations).toEqual([]);
  });

  // Found by the soak at FC_SEED=7 (run 4537, shrunk) once the coordinator's deadline work landed: a third
  // false G2 failure. v1's refresh timer and the swap's quiesce deadline are both due at 500; the deadline
  // fires first (same-instant timers run in arming order), so at the refusal point the timer, due "by now",
  // is still pending, exactly as before the swap. Due-but-unfired is allowed, as long as it is unchanged.
  const dueAtRefusalNotYetFired = [
    { kind: 'send', event: { type: 'LOAD', url: 'a' } },
    { kind: 'act', name: 'resolve', index: 0 },
    { kind: 'settle' },
    { kind: 'swap', target: 2, policies: { callbacks: 'restart', delays: 'carry', timers: 'carry', promises: 'wait', leases: 'block' } },
    { kind: 'send', event: { type: 'LOAD', url: 'a' } },
    { kind: 'flush' },
    { kind: 'tick', ms: 4 },
    { kind: 'send', event: { type: 'RESET' } },
    { kind: 'send', event: { type: 'RESET' } },
    { kind: 'tick', ms: 220 },
    { kind: 'tick', ms: 276 },
    { kind: 'swap', target: { other: 0 }, policies: { callbacks: 'restart', delays: 'block', timers: 'carry', promises: 'wait', leases: 'revoke' } },
  ] satisfies SwapCommand<LoaderEvent>[];

  it('does not blame a refused swap for a timer due at the refusal instant that has not fired yet', async () => {
    const r = await runSwapScenario(loaderScenario(), dueAtRefusalNotYetFired, { events: loaderEvents, mailboxCapacity: 2 });
    expect(r.reports.map((x) => [x.from, x.to, x.outcome, x.phase])).toEqual([
      [1, 2, 'refused', 'plan'],
      [1, 2, 'refused', 'quiesce'],
    ]);
    expect(r.violations).toEqual([]);
  });

  it('holds for the loader lineage with broken versions, under random interleavings', async () => {
    const coverage = new SwapCoverage();
    await fc.assert(
      swapSafetyProperty(loaderScenario, { events: loaderEvents, mailboxCapacity: 2, coverage }),
      fcParams(300, { examples: [[loaderInside], [refusedWhileTimeMovesOn], [timerDueAtRefusal], [dueAtRefusalNotYetFired]] }),
    );
    const s = expectCoverage('loader', coverage, {
      callbacks: ['restart', 'block'],
      delays: ['carry', 'restart', 'cancel', 'block'],
      timers: ['carry', 'cancel', 'block'],
      promises: ['wait', 'abort', 'adopt', 'function'],
      leases: ['wait', 'revoke', 'block'],
    });
    // each policy that acts left its mark on committed swaps, and the functions chose each policy
    for (const outcome of ['carried', 'restarted', 'cancelled', 'adopted', 'aborted', 'transferred', 'revoked'] as const) {
      expect(s.effects[outcome], `effects.${outcome}`).toBeGreaterThan(0);
    }
    for (const d of ['wait', 'abort', 'adopt'] as const) expect(s.decisions[d] ?? 0, `per-promise functions chose '${d}'`).toBeGreaterThan(0);
    // every phase that can refuse did, and the broken versions were refused for their own reason
    for (const phase of ['plan', 'quiesce', 'migrate', 'verify', 'install'] as const) expect(s.refusedByPhase[phase] ?? 0, `refused at ${phase}`).toBeGreaterThan(0);
    for (const kind of ['same-version', 'swap-in-progress', 'in-flight', 'lease-outstanding', 'pending-timer', 'pending-delay', 'migration-threw', 'invariant-violation', 'install-failed'] as const) {
      expect(s.refusedByBlocker[kind] ?? 0, `refused with ${kind}`).toBeGreaterThan(0);
    }
    expect(s.held).toBeGreaterThan(0);
    expect(s.inside).toBeGreaterThan(0);
    expect(s.sends.refused).toBeGreaterThan(0);
  });

  it('holds for the driver lineage (irreversible link, renamed state, carried delays)', async () => {
    const coverage = new SwapCoverage();
    await fc.assert(
      swapSafetyProperty(() => ({ lineage: driver }), { events: driverEvents, maxTickMs: 150, coverage }),
      fcParams(300, { examples: [[driverInside]] }),
    );
    const s = expectCoverage('driver', coverage, { delays: ['carry', 'restart', 'cancel', 'block'] });
    expect(s.effects.carried).toBeGreaterThan(0);
    expect(s.refusedByBlocker.irreversible ?? 0).toBeGreaterThan(0);
  });

  it('holds with work in flight inside a child machine (waited for, aborted, or refused for adoption)', async () => {
    const gotEvents = fc.record({ type: fc.constant('GOT'), data: fc.constantFrom('a', 'b') });
    const scenario = (): SwapScenario => {
      const { l, settle } = nestedFixture({ tellParent: false });
      return { lineage: l, actions: { settle: (_c, i) => settle[i % Math.max(1, settle.length)]?.('done') } };
    };
    const coverage = new SwapCoverage();
    await fc.assert(swapSafetyProperty(scenario, { events: gotEvents, mailboxCapacity: 3, coverage }), fcParams(150));
    expectCoverage('nested', coverage, { callbacks: ['restart', 'block'], promises: ['wait', 'abort', 'adopt', 'function'] });
  });

  it('generates swaps to other versions, mostly one at a time, and records what runSwapScenario ran', async () => {
    const samples = fc.sample(swapCommands(loaderScenario(), { events: loaderEvents }), { numRuns: 60, seed });
    const swaps = samples.flat().filter((c) => c.kind === 'swap' || c.kind === 'swap-inside');
    // some swaps choose per promise with a function, as a caller may; most name "another version than the running one"
    expect(swaps.filter((c) => typeof c.policies.promises === 'function').length).toBeGreaterThan(5);
    expect(swaps.filter((c) => typeof c.target !== 'number').length / swaps.length).toBeGreaterThan(0.7);
    const coverage = new SwapCoverage();
    let reports = 0;
    for (const commands of samples) {
      // A swap whose deadline has passed before it reaches quiesce is refused at once, holding nothing:
      // a deadline long enough to hold through a few sends, and a mailbox of one, so some are refused.
      const r = await runSwapScenario(loaderScenario(), commands, { events: loaderEvents, mailboxCapacity: 1, deadlineMs: 400 });
      expect(r.violations).toEqual([]);
      expect(r.attempts.map((x) => x.report)).toEqual(r.reports);
      reports += r.reports.length;
      coverage.record(r);
    }
    console.log(coverage.format());
    const s = coverage.summary();
    expect(s.scenarios).toBe(60);
    expect(s.attempts).toBe(reports);
    expect(s.committed + Object.values(s.refusedByPhase).reduce((x, y) => x + y, 0)).toBe(s.attempts);
    expect(s.committed).toBeGreaterThan(20);
    expect(s.attempts - s.committed).toBeGreaterThan(20);
    expect(s.inside).toBeGreaterThan(5);
    expect(s.sends.refused, 'sends refused with a full mailbox').toBeGreaterThan(0);
  });
});

type ProbationCommand =
  | { readonly kind: 'send'; readonly n: number }
  | { readonly kind: 'swap'; readonly to: number; readonly probation: { readonly ms: number; readonly events?: number } | undefined; readonly wait: boolean }
  | { readonly kind: 'tick'; readonly ms: number }
  | { readonly kind: 'settle' };

const probationCommands: fc.Arbitrary<ProbationCommand[]> = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('send' as const), n: fc.oneof({ weight: 3, arbitrary: fc.nat(11) }, { weight: 2, arbitrary: fc.constantFrom(...TRIGGERS) }) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('swap' as const),
        to: fc.integer({ min: 1, max: 4 }),
        probation: fc.option(fc.record({ ms: fc.integer({ min: 20, max: 400 }), events: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }) }, { requiredKeys: ['ms'] }), { nil: undefined, freq: 3 }),
        wait: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 300 }) }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'settle' as const }) },
  ),
  { minLength: 4, maxLength: 40, size: 'medium' },
);

/** What the probation property met, to print and to check it tested what it claims. */
class ProbationCoverage {
  readonly counts = new Map<string, number>();
  bump(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  format(): string {
    return [...this.counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `  ${k}: ${n}`).join('\n');
  }
}

/** The cause's kind, from the line the journal keeps (runtime/probation.ts `describeCause`). */
const causeOf = (line: string): string =>
  line.startsWith('the new actor failed') ? 'actor-error' : line.startsWith('the invariant failed') ? 'invariant' : line.startsWith('health check') ? 'health' : line;

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs one program on the failing lineage (test/swap/_support/failing-lineage.ts) and checks that the
 * surviving version's log is exactly the accepted `n`s, in acceptance order: each accepted event's
 * effect present once, whatever was committed, refused, rolled back or made permanent. A swap to a
 * failing version is always on probation (without one, its failure is permanent by design); a trigger
 * sent while a failing version would stay (running past its probation, or what a pending probation
 * rolls back to) is sent as a harmless 0 instead.
 */
async function runProbationProgram(commands: readonly ProbationCommand[], coverage?: ProbationCoverage): Promise<void> {
  const clock = new ManualClock();
  const runtime = createRuntime({ clock, mailboxCapacity: 64 });
  const c = runtime.start(failing, { version: 1 });
  const accepted: number[] = [];
  const swaps: Promise<SwapReport>[] = [];
  const outcomes: Promise<ProbationOutcome>[] = [];
  for (const cmd of commands) {
    if (cmd.kind === 'send') {
      // a failing version that will keep running: the current one past its probation, or the one a
      // pending probation would roll back to
      const on = c.probation;
      const unguarded = (FAILING.has(c.version) && on === undefined) || (on !== undefined && FAILING.has(on.from));
      const n = unguarded && (TRIGGERS as readonly number[]).includes(cmd.n) ? 0 : cmd.n;
      try {
        c.send({ type: 'ADD', n } satisfies LogEvent);
        accepted.push(n);
      } catch (error) {
        expect(error).toBeInstanceOf(HotswapError); // refused (a stopped actor, a full mailbox): not accepted
        coverage?.bump(`send refused: ${(error as HotswapError).code}`);
      }
    } else if (cmd.kind === 'swap') {
      const probation = cmd.probation ?? (FAILING.has(cmd.to) ? { ms: 200 } : undefined);
      const p = c.swap(cmd.to, probation === undefined ? {} : { probation: { ...probation, health } });
      // the window opens at the commit; a failure found at once may settle it before anyone looks
      const watched = p.then((r) => {
        const on = c.probation;
        if (on?.swapId === r.id) outcomes.push(on.settled);
        return r;
      });
      swaps.push(watched);
      if (cmd.wait) await watched;
    } else if (cmd.kind === 'tick') {
      clock.advance(cmd.ms);
      await Promise.resolve();
    } else await settle();
  }
  const reports = await Promise.all(swaps);
  // every window ends: its time passes (a rollback runs in a microtask after the failure)
  for (let i = 0; i < 10 && c.probation !== undefined; i++) {
    clock.advance(1000);
    await settle();
  }
  const ended = await Promise.all(outcomes);
  const state = c.getSnapshot() as { status: string; context: { log: number[] } };
  expect(ended.filter((o) => o.outcome === 'rollback-failed')).toEqual([]);
  expect(state.status).toBe('active');
  expect(state.context.log).toEqual(accepted);
  // the journal has every rollback (one seen settling is one of them), each after its swap's committed entry
  const journal = await runtime.journal.entries();
  const rollbacks = journal.flatMap((e) => (e.outcome === 'rolled-back' ? [e] : []));
  expect(rollbacks.length).toBeGreaterThanOrEqual(ended.filter((o) => o.outcome === 'rolled-back').length);
  for (const r of rollbacks) expect(journal.findIndex((e) => e.id === r.rolledBack.swapId && e.outcome === 'committed')).toBeLessThan(journal.indexOf(r));
  for (const r of reports) coverage?.bump(r.outcome === 'committed' ? 'swaps committed' : `swaps refused at ${r.phase}`);
  for (const r of reports) if (r.outcome === 'committed' && FAILING.has(r.to)) coverage?.bump('swaps committed to a failing version');
  for (const r of rollbacks) coverage?.bump(`probations rolled back: ${causeOf(r.rolledBack.cause)}`);
  for (const o of ended) if (o.outcome === 'permanent') coverage?.bump('probations permanent');
  coverage?.bump('programs');
  await runtime.stop();
}

describe('swap safety with probation: a version that fails after commit', () => {
  // Found by this property (seed 20261121, shrunk): v4 on probation takes 14, its invariant fails, its
  // rollback is queued in a microtask — and a swap asked for in the same tick took the lock first, so
  // the rollback was refused (`rollback-failed`) and v4 kept a state its invariant refuses. Now a swap
  // asked for while a rollback is under way runs after it.
  const swapDuringRollback: ProbationCommand[] = [
    { kind: 'swap', to: 4, probation: undefined, wait: true },
    { kind: 'send', n: 14 },
    { kind: 'swap', to: 1, probation: undefined, wait: false },
    { kind: 'send', n: 0 },
    { kind: 'tick', ms: 1 },
    { kind: 'settle' },
    { kind: 'send', n: 0 },
  ];

  // Found by this property too (seed 20261121, shrunk), each once the one before was fixed:
  // - two swaps on probation asked for at once: the second's probation replaced the first's as the
  //   component's, so the one whose swap committed logged nothing and its rollback lost the event 15;
  // - a swap asked for between a commit and its report did not make that swap permanent: its window
  //   opened afterwards and rolled back over the later swap, losing 15 again;
  // - an event sent between a commit and its report was logged twice (by the swap's probation both
  //   as the component's and as one still arming) and redelivered twice by the rollback;
  // - a swap refused at plan (another still held the lock) made the swap before it permanent when it
  //   was asked for, so v3's actor error on 13 was never rolled back (found by the soak, seed 20261121).
  const concurrentProbations: ProbationCommand[] = [
    { kind: 'swap', to: 2, probation: undefined, wait: false },
    { kind: 'tick', ms: 1 },
    { kind: 'swap', to: 1, probation: { ms: 20 }, wait: false },
    { kind: 'swap', to: 1, probation: { ms: 20 }, wait: true },
    { kind: 'send', n: 15 },
    { kind: 'tick', ms: 20 },
    { kind: 'send', n: 0 },
    { kind: 'tick', ms: 1 },
    { kind: 'settle' },
    { kind: 'send', n: 0 },
  ];
  const swapBeforeReport: ProbationCommand[] = [
    { kind: 'swap', to: 3, probation: undefined, wait: false },
    { kind: 'tick', ms: 1 },
    { kind: 'swap', to: 1, probation: { ms: 20 }, wait: true },
    { kind: 'send', n: 15 },
    { kind: 'tick', ms: 200 },
    { kind: 'send', n: 0 },
  ];
  const sentBeforeReport: ProbationCommand[] = [
    { kind: 'swap', to: 4, probation: undefined, wait: false },
    { kind: 'tick', ms: 1 },
    { kind: 'send', n: 0 },
    { kind: 'settle' },
    { kind: 'send', n: 14 },
    { kind: 'swap', to: 1, probation: undefined, wait: false },
    { kind: 'tick', ms: 1 },
    { kind: 'send', n: 0 },
  ];

  const refusedAtPlan: ProbationCommand[] = [
    { kind: 'swap', to: 3, probation: undefined, wait: false },
    { kind: 'tick', ms: 1 },
    { kind: 'swap', to: 1, probation: { ms: 20 }, wait: false },
    { kind: 'tick', ms: 1 },
    { kind: 'send', n: 0 },
    { kind: 'send', n: 13 },
    { kind: 'send', n: 15 },
  ];

  it.each([
    ['two swaps on probation asked for at once', concurrentProbations],
    ['a swap refused at plan while the swap before it is on probation', refusedAtPlan],
    ['a swap asked for between a commit and its report', swapBeforeReport],
    ['an event sent between a commit and its report', sentBeforeReport],
  ])('keeps every accepted event exactly once with %s', async (_what, program) => {
    await runProbationProgram(program);
  });

  it('runs a swap asked for while a rollback is under way after the rollback', async () => {
    const coverage = new ProbationCoverage();
    await runProbationProgram(swapDuringRollback, coverage);
    expect(coverage.get('probations rolled back: invariant')).toBe(1);
    // the swap to v1 ran after the rollback had reinstated v1: refused as the same version
    expect([coverage.get('swaps committed'), coverage.get('swaps refused at plan')]).toEqual([1, 1]);
  });

  it('keeps every accepted event exactly once in the surviving version, across commits, refusals, rollbacks and permanent swaps', async () => {
    const coverage = new ProbationCoverage();
    await fc.assert(
      fc.asyncProperty(probationCommands, (commands) => runProbationProgram(commands, coverage)),
      fcParams(150, { examples: [[swapDuringRollback], [concurrentProbations], [swapBeforeReport], [sentBeforeReport]] }),
    );
    console.log(`swap safety with probation, seed ${seed}${soak ? ' (soak)' : ''}:\n${coverage.format()}`);
    for (const cause of ['actor-error', 'invariant', 'health']) expect(coverage.get(`probations rolled back: ${cause}`), `rolled back for ${cause}`).toBeGreaterThan(0);
    expect(coverage.get('probations permanent')).toBeGreaterThan(0);
    expect(coverage.get('swaps committed')).toBeGreaterThan(0);
    expect(coverage.get('swaps refused at plan')).toBeGreaterThan(0);
  });
});
