/**
 * The steps of a swap-safety scenario and the arbitrary that generates them (docs/design.md §3 G1–G8 through
 * `swapSafetyProperty`). Generation is tuned so the property tests what it claims: most swaps target
 * another version than the running one (resolved when the swap runs), most wait for the swaps before
 * them to resolve (a few stay concurrent, so `swap-in-progress` is still tried), and blocking policies
 * are rare, so commits are a substantial share of the attempts (`SwapCoverage` measures it; pinned by
 * test/swap/swap-safety.property.test.ts).
 */
import fc from 'fast-check';
import type { EventObject } from 'xstate';
import type { SwapPolicies } from '../swap/options.ts';
import type { SwapSafetyOptions, SwapScenario } from './scenario.ts';

/**
 * The version a swap asks for: a version number, or `{ other: k }` — the k-th (wrapping) of the
 * candidate targets other than the version running when the swap is asked for.
 */
export type SwapTarget = number | { readonly other: number };

/** One step of a swap-safety scenario. */
export type SwapCommand<TEvent extends EventObject = EventObject> =
  | { readonly kind: 'send'; readonly event: TEvent }
  | { readonly kind: 'tick'; readonly ms: number }
  | { readonly kind: 'flush' }
  /** Time passes until every swap in flight has resolved (by the clock and the event loop). */
  | { readonly kind: 'settle' }
  | { readonly kind: 'swap'; readonly target: SwapTarget; readonly policies: SwapPolicies }
  /**
   * A swap asked for from inside the component: an observer of the snapshot that `event` produces
   * calls `swap()` while XState is still processing that event (as an action or a subscriber may).
   */
  | { readonly kind: 'swap-inside'; readonly event: TEvent; readonly target: SwapTarget; readonly policies: SwapPolicies }
  | { readonly kind: 'borrow'; readonly handle: number }
  | { readonly kind: 'release' }
  | { readonly kind: 'act'; readonly name: string; readonly index: number };

type PromisePolicy = 'wait' | 'abort' | 'adopt';
const promisePolicies = fc.constantFrom<PromisePolicy>('wait', 'abort', 'adopt');

/** One of `values`, each with its weight. */
function weighted<T>(values: readonly (readonly [T, number])[]): fc.Arbitrary<T> {
  return fc.oneof(...values.map(([value, weight]) => ({ weight, arbitrary: fc.constant(value) })));
}

/** A per-promise policy function, as a caller may write one (stateless, so a run replays): by age (untracked ones have none) or by src. */
const promisePolicyFunctions: fc.Arbitrary<SwapPolicies['promises']> = fc.oneof(
  fc.record({ older: promisePolicies, younger: promisePolicies, ms: fc.integer({ min: 0, max: 300 }) }).map(
    ({ older, younger, ms }) => Object.assign((e: { ageMs: number | undefined }) => ((e.ageMs ?? 0) >= ms ? older : younger), { toString: () => `age ≥ ${ms} ms ? ${older} : ${younger}` }),
  ),
  fc.record({ named: promisePolicies, others: promisePolicies, prefix: fc.constantFrom('a', 'f', 'l', 'w') }).map(({ named, others, prefix }) =>
    Object.assign((e: { src: string }) => (e.src.startsWith(prefix) ? named : others), { toString: () => `src ${prefix}… ? ${named} : ${others}` }),
  ),
);

/**
 * Every policy of every kind; the refusing ones (`block`) rarer than the others, so that a swap usually
 * meets a policy that lets it through and the others get to act.
 */
export const anySwapPolicies: fc.Arbitrary<SwapPolicies> = fc.record({
  callbacks: weighted([['restart', 11], ['block', 1]] as const),
  delays: weighted([['carry', 3], ['restart', 2], ['cancel', 2], ['block', 2]] as const),
  timers: weighted([['carry', 3], ['cancel', 2], ['block', 1]] as const),
  promises: fc.oneof({ weight: 3, arbitrary: promisePolicies }, { weight: 1, arbitrary: promisePolicyFunctions }),
  leases: weighted([['wait', 3], ['revoke', 2], ['block', 1]] as const),
});

/** The command arbitrary of a scenario (exposed for custom model-based tests). */
export function swapCommands<TEvent extends EventObject>(
  scenario: SwapScenario,
  options: SwapSafetyOptions<TEvent>,
): fc.Arbitrary<SwapCommand<TEvent>[]> {
  const targets = options.targets ?? scenario.lineage.versions.map((v) => v.version);
  const actions = Object.keys(scenario.actions ?? {});
  const policies = options.policies ?? anySwapPolicies;
  // Mostly another version than the running one; sometimes a literal one (which may be the running one).
  const target: fc.Arbitrary<SwapTarget> = fc.oneof(
    { weight: 6, arbitrary: fc.nat(Math.max(0, targets.length - 1)).map((other) => ({ other })) },
    { weight: 1, arbitrary: fc.constantFrom(...targets) },
  );
  // Most swaps come after the ones before them have resolved; one in five is asked for while one may still run.
  const mostlyAfterSettle = (swap: fc.Arbitrary<SwapCommand<TEvent>>): fc.Arbitrary<SwapCommand<TEvent>[]> =>
    fc.oneof({ weight: 4, arbitrary: swap.map((s) => [{ kind: 'settle' as const }, s]) }, { weight: 1, arbitrary: swap.map((s) => [s]) });
  const one = (arb: fc.Arbitrary<SwapCommand<TEvent>>): fc.Arbitrary<SwapCommand<TEvent>[]> => arb.map((c) => [c]);
  const arbs: fc.WeightedArbitrary<SwapCommand<TEvent>[]>[] = [
    { weight: 8, arbitrary: one(options.events.map((event) => ({ kind: 'send' as const, event }))) },
    { weight: 3, arbitrary: one(fc.integer({ min: 0, max: options.maxTickMs ?? 300 }).map((ms) => ({ kind: 'tick' as const, ms }))) },
    { weight: 2, arbitrary: one(fc.constant({ kind: 'flush' as const })) },
    {
      weight: 2,
      arbitrary: mostlyAfterSettle(fc.record({ target, policies }).map(({ target: t, policies: p }) => ({ kind: 'swap' as const, target: t, policies: p }))),
    },
    {
      weight: 1,
      arbitrary: mostlyAfterSettle(
        fc.record({ event: options.events, target, policies }).map(({ event, target: t, policies: p }) => ({ kind: 'swap-inside' as const, event, target: t, policies: p })),
      ),
    },
    { weight: 1, arbitrary: one(fc.nat(7).map((handle) => ({ kind: 'borrow' as const, handle }))) },
    { weight: 1, arbitrary: one(fc.constant({ kind: 'release' as const })) },
  ];
  if (actions.length > 0) {
    arbs.push({
      weight: 3,
      arbitrary: one(fc.record({ name: fc.constantFrom(...actions), index: fc.nat(7) }).map((a) => ({ kind: 'act' as const, ...a }))),
    });
  }
  return fc.array(fc.oneof(...arbs), { maxLength: options.maxCommands ?? 40, size: 'max' }).map((steps) => steps.flat());
}

/** The version `target` names when the running version is `current`. */
export function resolveTarget(target: SwapTarget, current: number, targets: readonly number[]): number {
  if (typeof target === 'number') return target;
  const others = targets.filter((v) => v !== current);
  return others.length === 0 ? current : others[target.other % others.length]!;
}
