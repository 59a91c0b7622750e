/**
 * What a swap-safety run is made of: the scenario (a fresh world per run: lineage, input, clock, the
 * scenario's own actions), the property's options and a run's result. Kept apart from the runner
 * (`swap-safety.ts`) so the command generator (`swap-commands.ts`) reads the same types without it.
 */
import type fc from 'fast-check';
import type { EventObject } from 'xstate';
import type { ManualClock } from '../clock/clock.ts';
import type { AnyLineage } from '../lineage/lineage.ts';
import type { LiveComponent } from '../runtime/component.ts';
import type { SwapPolicies } from '../swap/options.ts';
import type { SwapReport } from '../swap/report.ts';
import type { SwapCoverage, SwapAttempt } from './swap-coverage.ts';

/** What a scenario's actions can reach besides the component: the run's simulated clock. */
export interface ScenarioKit {
  /** The clock the runtime, its timers and the load's ticks run on. */
  readonly clock: ManualClock;
}

/** A fresh world per run: the lineage and the scenario's own actions (e.g. settle a pending request). */
export interface SwapScenario {
  readonly lineage: AnyLineage;
  /**
   * Named steps the scenario can take, e.g. `settle: (c, i) => calls[i % calls.length]?.resolve('x')`, or
   * `expire: (c, i, { clock }) => tokens.expireAt(clock.now())`. Must not throw.
   */
  readonly actions?: Readonly<Record<string, (component: LiveComponent, index: number, kit: ScenarioKit) => void>>;
  /**
   * The machine input of the starting version (`runtime.start(l, { input })`), for machines whose
   * context is `({ input }) => …`.
   * @defaultValue `undefined`
   */
  readonly input?: unknown;
  /**
   * The clock to run on, when the scenario's fixtures need it before the run (a fake service that
   * answers after a delay on the same time line). Give a fresh one per scenario.
   * @defaultValue a new `ManualClock` at 0
   */
  readonly clock?: ManualClock;
}

/** Options of {@link swapSafetyProperty}. */
export interface SwapSafetyOptions<TEvent extends EventObject = EventObject> {
  /** Events the load sends. Each is copied before sending, so events are told apart by identity. */
  readonly events: fc.Arbitrary<TEvent>;
  /** @defaultValue the lineage's first version */
  readonly start?: number;
  /** Versions to swap to. @defaultValue every version of the lineage */
  readonly targets?: readonly number[];
  /** @defaultValue any mix of every policy (`block` rarer), a quarter choosing per promise with a function */
  readonly policies?: fc.Arbitrary<SwapPolicies>;
  /** @defaultValue 40 */
  readonly maxCommands?: number;
  /** Longest single clock tick. @defaultValue 300 */
  readonly maxTickMs?: number;
  /** Swap deadline. @defaultValue 100 */
  readonly deadlineMs?: number;
  /** A small mailbox, so full-mailbox refusals happen. @defaultValue 8 */
  readonly mailboxCapacity?: number;
  /** Where {@link swapSafetyProperty} records what every run tested (see {@link SwapCoverage}). */
  readonly coverage?: SwapCoverage;
}

/** What went wrong in a scenario, one line per violated guarantee. */
export interface SwapSafetyResult {
  readonly violations: readonly string[];
  readonly accepted: number;
  readonly refusedSends: number;
  readonly reports: readonly SwapReport[];
  /** Every swap attempt with the policies it asked for and what it met, in the order they resolved. */
  readonly attempts: readonly SwapAttempt[];
  /** How many of the swaps were asked for from inside the component (`swap-inside` whose observer fired). */
  readonly inside: number;
}
