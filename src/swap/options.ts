/**
 * The options of a swap: deadline, preconditions, signal and one policy per kind of effect, with
 * their defaults in one place. Pinned by test/swap/policies.test.ts.
 */
import type { Blocker } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { isTimerDelay, MAX_TIMER_MS } from '../clock/clock.ts';
import { HotswapError, shown } from '../errors.ts';
import { type AnyLineage, isLineage } from '../lineage/lineage.ts';
import type { LedgerInFlight } from '../ledger/ledger.ts';
import type { Projection } from './_internal/replay.ts';
import type { ProbationOutcome } from './report.ts';

/**
 * What to do with pending XState delayed events (`after`):
 * - `carry`: re-arm in the new actor with the *remaining* time, from the new definition (the mapped
 *   state must declare the same delay, else a blocker);
 * - `restart`: the same, with the full delay;
 * - `cancel`: drop them (recorded in the report);
 * - `block`: any pending delay refuses the swap.
 */
export type DelayPolicy = 'carry' | 'restart' | 'cancel' | 'block';

/** Runtime timers: `carry` keeps them pending (the new version must define the handler), `cancel`, `block`. */
export type TimerPolicy = 'carry' | 'cancel' | 'block';

/**
 * In-flight promises:
 * - `wait`: quiesce waits until they settle (within the deadline);
 * - `abort`: abort the old one (its `signal` fires) and let the new version invoke it afresh;
 * - `adopt`: route its settlement to the new version; it is not started again.
 */
export type PromisePolicy = 'wait' | 'abort' | 'adopt';

/**
 * Outstanding leases of non-transferable handles (transferable ones are always rebound):
 * - `wait`: quiesce waits for their release;
 * - `revoke`: wait until the deadline, then revoke the ones still held;
 * - `block`: refuse at once.
 */
export type LeasePolicy = 'wait' | 'revoke' | 'block';

/**
 * Invoked callback (and observable) actors: `restart` stops the old one (its cleanup runs) and lets the
 * new version invoke it afresh, recorded in `effects.restarted`; `block` refuses while one is running.
 */
export type CallbackPolicy = 'restart' | 'block';

/** Per-kind effect policies. */
export interface SwapPolicies {
  /** @defaultValue 'restart' */
  readonly callbacks?: CallbackPolicy;
  /** @defaultValue 'carry' */
  readonly delays?: DelayPolicy;
  /** @defaultValue 'carry' */
  readonly timers?: TimerPolicy;
  /** A policy for every in-flight promise, or a function choosing one per promise. @defaultValue 'wait' */
  readonly promises?: PromisePolicy | ((entry: LedgerInFlight) => PromisePolicy);
  /** @defaultValue 'wait' */
  readonly leases?: LeasePolicy;
}

/** Context handed to a precondition. */
export interface PreconditionContext {
  /** The instance id (`component.id`), e.g. `driver#1`. */
  readonly instance: string;
  /** The lineage (component) name, e.g. `driver`: what `SwapReport.component` holds. */
  readonly lineage: string;
  /** @deprecated The instance id, not the lineage name `SwapReport.component` holds: read `instance`. */
  readonly component: string;
  readonly from: number;
  readonly to: number;
  /** The live state right now (not a cached copy). */
  readonly state: { readonly value: unknown; readonly context: unknown };
  readonly signal: AbortSignal;
}

/** A precondition: `true` to allow, a reason string (or `false`) to refuse. May be async. */
export type Precondition = (ctx: PreconditionContext) => boolean | string | Promise<boolean | string>;

/** A state as `health` sees it. */
export interface ProbationState {
  readonly value: unknown;
  readonly context: unknown;
}

/** Options of `swap(target, { probation })`. The window ends at `ms` or after `events` accepted events, whichever first. */
/**
 * A swap on probation (src/runtime/probation.ts): after the commit, the old version and its state are
 * kept and a failure of the new one within the window rolls back to it.
 */
export interface ProbationOptions {
  /** How long the window lasts on the runtime's clock. @defaultValue 1000 when `events` is absent */
  readonly ms?: number;
  /** How many accepted events the window lasts. */
  readonly events?: number;
  /** Checked after each accepted event and at the window's end: a string (a reason) fails the probation. */
  readonly health?: (state: ProbationState) => string | undefined | void | boolean;
  /**
   * Called exactly once when the window ends — `permanent`, `rolled-back` (with the cause and the
   * journal's entry) or `rollback-failed` — even when it ends before `swap()` resolves (a failure on
   * an event held during the swap, or on the migrated state itself). Not called when the swap is
   * refused: no window opens. A throw in it is reported as the component reports its listeners'
   * errors, never unwinds the probation.
   */
  readonly onSettled?: (outcome: ProbationOutcome) => void;
}

/** Options of `component.rehearse(target, options)`, and of `swap(target, { rehearse })`. */
export interface RehearseOptions {
  /** The policies drain decides with (a swap's `rehearse` uses the swap's own). @defaultValue the swap defaults */
  readonly policies?: SwapPolicies;
  /** A newer lineage the target comes from, as for `swap`. */
  readonly lineage?: AnyLineage;
  /**
   * Replays the events the component recorded (`runtime.start(…, { shadow: { events } })`) through
   * both versions and compares `project` after each. Without a recording there is nothing to compare
   * and the rehearsal refuses (`replay-divergence` at index −1), rather than passing without evidence.
   */
  readonly replay?: boolean;
  /** What the replay compares. @defaultValue the whole `{ value, context }` */
  readonly project?: Projection;
}

/** Options of `component.swap(target, options)`. */
export interface SwapOptions {
  /**
   * How long quiescence may take (and preconditions), in ms on the runtime's clock: from 0 to
   * 2^31 − 1 (the longest a timer waits; a swap always has a deadline, so `Infinity` is refused).
   * @defaultValue 1000
   */
  readonly deadlineMs?: number;
  readonly policies?: SwapPolicies;
  /** Live evidence checked before anything pauses; any failure refuses the swap. */
  readonly preconditions?: Readonly<Record<string, Precondition>>;
  /** A newer lineage (e.g. extended by a plugin) that the target version comes from. Same name and prefix. */
  readonly lineage?: AnyLineage;
  /** Aborts the swap before the commit point. */
  readonly signal?: AbortSignal;
  /**
   * Rehearses the swap on a copy after plan, before anything pauses: a failed rehearsal refuses the
   * swap (phase `plan`) with its blockers. `true` rehearses with the swap's policies, no replay.
   */
  readonly rehearse?: true | Omit<RehearseOptions, 'policies' | 'lineage'>;
  /** Keeps the old version after the commit, and rolls back to it if the new one fails within the window. Off by default. */
  readonly probation?: ProbationOptions;
}

/** Default deadline for quiescence. */
export const DEFAULT_DEADLINE_MS = 1000;

/** Fills in defaults. */
export function resolvePolicies(p: SwapPolicies | undefined): Required<SwapPolicies> {
  return {
    delays: p?.delays ?? 'carry',
    timers: p?.timers ?? 'carry',
    promises: p?.promises ?? 'wait',
    leases: p?.leases ?? 'wait',
    callbacks: p?.callbacks ?? 'restart',
  };
}

// ── argument checks: misuse is a HotswapError, refusals stay reports ───────

const POLICY_VALUES: { readonly [K in keyof SwapPolicies]-?: readonly string[] } = {
  delays: ['carry', 'restart', 'cancel', 'block'],
  timers: ['carry', 'cancel', 'block'],
  promises: ['wait', 'abort', 'adopt'],
  leases: ['wait', 'revoke', 'block'],
  callbacks: ['restart', 'block'],
};

const invalid = (what: string, expected: string, got: unknown): HotswapError =>
  new HotswapError('INVALID_ARGUMENT', `Expected \`${what}\` to be ${expected}, got ${shown(got)}`, { details: { argument: what } });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a swap's target: a version number, or a version from `defineVersion()`. */
export function checkTarget(target: unknown, what = 'target'): HotswapError | undefined {
  if (typeof target === 'number' && Number.isInteger(target)) return undefined;
  if (isObject(target) && typeof target['version'] === 'number' && Number.isInteger(target['version'])) return undefined;
  return invalid(what, 'a version number or a version from `defineVersion()`', target);
}

/**
 * Checks the options of `swap`, `swapOrThrow`, `revert` and (per part, with `partOfAll`) `swapAll`:
 * the error to reject with, or `undefined`. Every entry point checks the same rules here.
 */
export function checkSwapOptions(options: unknown, what = 'options', partOfAll = false): HotswapError | undefined {
  if (options === undefined) return undefined;
  if (!isObject(options)) return invalid(what, 'an object or absent', options);
  const o = options as SwapOptions;
  if (partOfAll) {
    for (const key of ['deadlineMs', 'signal'] as const) {
      if (o[key] !== undefined) return invalid(`${what}.${key}`, 'absent (the `swapAll` call sets it for every part)', o[key]);
    }
    for (const key of ['rehearse', 'probation'] as const) {
      if (o[key] !== undefined) return invalid(`${what}.${key}`, 'absent (`swapAll` neither rehearses nor puts a part on probation; rehearse each with `component.rehearse`)', o[key]);
    }
  } else {
    const timing = checkTiming(o, what);
    if (timing !== undefined) return timing;
  }
  if (o.lineage !== undefined && !isLineage(o.lineage)) return invalid(`${what}.lineage`, 'a lineage from `lineage(...)` or absent', o.lineage);
  // `null` means none here (a plain-JS caller's "no preconditions"); every other field must be absent or valid
  if (o.preconditions !== undefined && o.preconditions !== null) {
    if (!isObject(o.preconditions)) return invalid(`${what}.preconditions`, 'an object of functions or absent', o.preconditions);
    for (const [name, check] of Object.entries(o.preconditions)) {
      if (typeof check !== 'function') return invalid(`${what}.preconditions.${name}`, 'a function', check);
    }
  }
  if (o.policies !== undefined) {
    if (!isObject(o.policies)) return invalid(`${what}.policies`, 'an object or absent', o.policies);
    for (const [kind, value] of Object.entries(o.policies)) {
      const allowed = POLICY_VALUES[kind as keyof SwapPolicies];
      if (allowed === undefined) return invalid(`${what}.policies.${kind}`, `absent (the policies are ${Object.keys(POLICY_VALUES).join(', ')})`, value);
      if (value === undefined || allowed.includes(value as string) || (kind === 'promises' && typeof value === 'function')) continue;
      const expected = `one of ${allowed.map((a) => `'${a}'`).join(', ')}${kind === 'promises' ? ' or a function returning one' : ''}`;
      return invalid(`${what}.policies.${kind}`, expected, value);
    }
  }
  return undefined;
}

/** Checks `deadlineMs` and `signal` (of `swap` options, or of a `swapAll` call). */
export function checkTiming(o: { readonly deadlineMs?: unknown; readonly signal?: unknown }, what = 'options'): HotswapError | undefined {
  if (o.deadlineMs !== undefined && !isTimerDelay(o.deadlineMs)) {
    return invalid(`${what}.deadlineMs`, `a number of ms from 0 to ${MAX_TIMER_MS}`, o.deadlineMs);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) return invalid(`${what}.signal`, 'an AbortSignal or absent', o.signal);
  return undefined;
}

/**
 * The promise policy for one in-flight promise: the static one, or what the policy function returns
 * for it. A function returning anything but `wait`, `abort` or `adopt` refuses the swap with a blocker
 * naming the promise, rather than acting as some default.
 */
export function promisePolicyFor(policies: Required<SwapPolicies>, entry: LedgerInFlight): PromisePolicy | Blocker {
  const p = policies.promises;
  if (typeof p !== 'function') return p;
  const chosen: unknown = p(entry);
  if (chosen === 'wait' || chosen === 'abort' || chosen === 'adopt') return chosen;
  return blocker('in-flight', { id: entry.id, src: entry.src, ageMs: entry.ageMs ?? 0, policy: `${shown(chosen)} from the policy function, which must return 'wait', 'abort' or 'adopt'` });
}
