/**
 * `createRuntime`: hosts live components on one clock and journal. `start` runs a component fresh or
 * from a snapshot or envelope, migrated, then through the swap's own verify and install steps
 * (src/swap/verify.ts, src/swap/install.ts) with its timers re-armed — refused with `START_REFUSED`
 * before anything starts; `swapAll` swaps several as one step, `swapRolling` many in batches. Pinned by
 * test/runtime/start.test.ts and test/swap/coordinator.test.ts.
 */
import { ShadowRing } from '../swap/_internal/replay.ts';
import { RehearsalPool } from '../swap/_internal/rehearse-pool.ts';
import type { InspectionEvent, Snapshot } from 'xstate';
import { type Clock, systemClock } from '../clock/clock.ts';
import type { Blocker } from '../blockers/blocker.ts';
import { formatBlockers } from '../blockers/messages.ts';
import { type ErrorData, HotswapError, shown } from '../errors.ts';
import { type Journal, MemoryJournal } from '../journal/journal.ts';
import { type AnyLineage, isLineage } from '../lineage/lineage.ts';
import type { EventOf } from '../lineage/types.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { verifySnapshot, verifyState } from '../migrate/verify.ts';
import { install } from '../swap/install.ts';
import { runSwapAll, type SwapAllOptions, type SwapAllPart, type SwapAllReport } from '../swap/swap-all.ts';
import { runSwapRolling, type SwapRollingOptions, type SwapRollingReport } from '../swap/swap-rolling.ts';
import type { SwapOptions } from '../swap/options.ts';
import type { AnyVersion } from '../lineage/types.ts';
import { ComponentCore } from '../live/_internal/core.ts';
import { LiveComponent } from './component.ts';
import type { LineageEmitted, LineageSnapshot } from './actor-api.ts';
import { type PersistedTimer } from '../store/envelope.ts';
import { checkStart } from './_internal/start-check.ts';

/** The events any version of a lineage accepts (a swap may change the version, so the union). */
export type LineageEvent<L extends AnyLineage> = EventOf<L['versions'][number]>;

/** Options of {@link createRuntime}. */
export interface RuntimeOptions {
  /** Every timer and deadline goes through it. @defaultValue the system clock */
  readonly clock?: Clock;
  /** Where swap attempts are recorded. @defaultValue a new {@link MemoryJournal} */
  readonly journal?: Journal;
  /** Events a component may hold during a swap before `send` refuses. @defaultValue 1024 */
  readonly mailboxCapacity?: number;
  /**
   * XState inspection for every actor the runtime creates (old and new versions alike); the testing
   * kit uses it to see which actor processed which event.
   */
  readonly inspect?: (event: InspectionEvent) => void;
  /**
   * Receives errors thrown by your code that the runtime must not unwind through: observers and
   * runtime-timer handlers. A swap commits regardless; the error lands here.
   * @defaultValue rethrow on a later tick (as XState reports unhandled errors)
   */
  readonly onError?: (error: unknown) => void;
}

/** Options of `runtime.start(lineage, options)`. */
export interface StartOptions {
  /** Instance id. @defaultValue `${lineage.name}#${n}` */
  readonly id?: string;
  /** The version to run. @defaultValue the lineage's current version (or, with a snapshot, `from`) */
  readonly version?: number;
  /**
   * A persisted snapshot to resume from (`actor.getPersistedSnapshot()`, checked at run time), written
   * by version `from` (default: `version`).
   */
  readonly snapshot?: PersistedSnapshot | Snapshot<unknown>;
  /** The version that wrote `snapshot`; it is migrated to `version` through the lineage. */
  readonly from?: number;
  /** Pending timers to re-arm (from `persist()`), with their remaining time. */
  readonly timers?: readonly PersistedTimer[];
  /**
   * An envelope (object or JSON text, e.g. from `persist()` or a file store) to resume from. It is
   * verified (hash, component, unsafe keys, status), migrated from the version that wrote it, and its
   * timers re-armed; a bad one throws its `ENVELOPE_*` / `UNKNOWN_*` / `MIGRATION_REFUSED` code.
   */
  readonly envelope?: unknown;
  /** Machine input when starting fresh. */
  readonly input?: unknown;
  /**
   * Shadow recording for rehearsals: keep the last `events` events sent to the component (a bounded
   * ring from a checkpointed snapshot), so `rehearse(target, { replay: true })` can replay them. Off by default.
   */
  readonly shadow?: { readonly events: number };
}

/** One component's part in a `swapAll`. */
export interface SwapAllRequest {
  readonly component: LiveComponent<any>;
  readonly target: number | AnyVersion;
  /** Per-component options; `deadlineMs` and `signal` come from the `swapAll` call. */
  readonly options?: Omit<SwapOptions, 'deadlineMs' | 'signal'>;
}

/** The result of {@link Runtime.tryStart}. */
export type StartResult<TComponent = LiveComponent<any>> =
  | { readonly ok: true; readonly component: TComponent }
  | { readonly ok: false; readonly error: ErrorData; readonly blockers: readonly Blocker[] };

/** Hosts live components. */
export interface Runtime {
  readonly clock: Clock;
  readonly journal: Journal;
  /**
   * Starts a live component of the lineage: fresh, or from a persisted snapshot (migrated and checked
   * exactly like a swap, pending timers re-armed). Throws `START_REFUSED` with the blockers otherwise.
   * {@link Runtime.tryStart} is the result form.
   */
  start<L extends AnyLineage>(lineage: L, options?: StartOptions): LiveComponent<LineageEvent<L>, LineageSnapshot<L>, LineageEmitted<L>>;
  /**
   * {@link Runtime.start} as a result: `{ ok: true, component }`, or `{ ok: false, error, blockers }`
   * with the coded error `start` would throw (`START_REFUSED`, `UNKNOWN_VERSION`, `ENVELOPE_*`,
   * `INVALID_ARGUMENT`, …) and its blockers (empty when the refusal has none). Nothing of a refused
   * start keeps running. A throw that is not a `HotswapError` passes through, as it does from `start`.
   *
   * @example
   * const r = runtime.tryStart(driverLineage, { envelope: await store.load('driver') });
   * if (!r.ok) console.error(r.error.message); // the blockers, formatted
   */
  tryStart<L extends AnyLineage>(lineage: L, options?: StartOptions): StartResult<LiveComponent<LineageEvent<L>, LineageSnapshot<L>, LineageEmitted<L>>>;
  /**
   * Swaps several components as one step: quiesced in parallel under one deadline, all commit or none.
   * Thousands of parts: it lets the event loop run between slices of work, `onProgress` says how far it got.
   */
  swapAll(requests: readonly SwapAllRequest[], options?: SwapAllOptions): Promise<SwapAllReport>;
  /**
   * A mass upgrade in batches, each one `swapAll` (all or none within it), with a checkpoint after each
   * batch to persist: a rollout cut short resumes from it (`resumeFrom`) over the same request list.
   *
   * @example
   * const r = await runtime.swapRolling(requests, { batchSize: 200, resumeFrom: saved, onCheckpoint: (cp) => save(cp) });
   * if (!r.ok) console.error(r.outcome, r.reason); // resume later from r.checkpoint
   */
  swapRolling(requests: readonly SwapAllRequest[], options?: SwapRollingOptions): Promise<SwapRollingReport>;
  /** The live components started here and not stopped. */
  components(): readonly LiveComponent<any>[];
  /** Stops every component. */
  stop(): Promise<void>;
}

/**
 * Creates a runtime that hosts live components.
 *
 * @example
 * const runtime = createRuntime();
 * const driver = runtime.start(driverLineage, { version: 1 });
 * driver.send({ type: 'ENQUEUE', id: 'a' });
 * const report = await driver.swap(2);
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const clock = options.clock ?? systemClock;
  const journal = options.journal ?? new MemoryJournal();
  // piscina workers for `rehearseInPool`, started on the first one; closed by `stop()`
  const pool = new RehearsalPool();
  const capacity = options.mailboxCapacity ?? 1024;
  const live = new Map<LiveComponent<any>, ComponentCore>();
  let counter = 0;

  /** The cores behind `swapAll`'s and `swapRolling`'s requests; misuse throws `INVALID_ARGUMENT`. */
  const parts = (requests: readonly SwapAllRequest[]): SwapAllPart[] => {
    if (!Array.isArray(requests)) throw new HotswapError('INVALID_ARGUMENT', `Expected \`requests\` to be an array of { component, target }, got ${shown(requests)}`);
    return requests.map((r: SwapAllRequest | null | undefined, i) => {
      const core = live.get(r?.component as LiveComponent<any>);
      if (core === undefined) {
        const what = r?.component instanceof LiveComponent ? `Component '${r.component.id}' is not hosted by this runtime (or was stopped)` : `Expected \`requests[${i}].component\` to be a live component, got ${shown(r?.component)}`;
        throw new HotswapError('INVALID_ARGUMENT', what);
      }
      return { core, target: r!.target, options: r!.options };
    });
  };

  const start = <L extends AnyLineage>(lineage: L, o: StartOptions = {}): LiveComponent<LineageEvent<L>, LineageSnapshot<L>, LineageEmitted<L>> => {
    if (!isLineage(lineage)) throw new HotswapError('INVALID_ARGUMENT', `Expected \`lineage\` to be a lineage from \`lineage(...)\`, got ${shown(lineage)}`);
    if (typeof o !== 'object' || o === null) throw new HotswapError('INVALID_ARGUMENT', `Expected \`options\` to be an object or absent, got ${shown(o)}`);
    const shadow = shadowRing(o.shadow);
    const to = o.version ?? lineage.current.version;
    const version = lineage.get(to);
    if (version === undefined) {
      throw new HotswapError('UNKNOWN_VERSION', `${lineage.name} has no version ${to}`, { details: { version: to } });
    }
    // set below: the component is created once its core has started
    const box: { component?: LiveComponent } = {};
    const onClose = (): void => void live.delete(box.component!);
    const core = new ComponentCore({ id: o.id ?? `${lineage.name}#${++counter}`, lineage, version, clock, capacity, inspect: options.inspect, onError: options.onError, onClose });
    let from = o.from ?? to;
    // `from` as known when refusing: after an envelope, the version that wrote it
    const refuse = (blockers: readonly Blocker[]): never => {
      throw new HotswapError('START_REFUSED', formatBlockers(blockers, { component: lineage.name, from, to, action: 'start' }), {
        details: { blockers },
      });
    };

    // Where the state comes from: fresh, a snapshot written by `from`, or an envelope; either way it
    // is migrated to `to` through the lineage and verified before an actor exists (_internal/start-check.ts).
    if ('envelope' in o && (o.envelope === undefined || o.envelope === null)) {
      // most likely a failed `store.load()` passed on: starting fresh instead would lose the saved state
      throw new HotswapError('INVALID_ARGUMENT', `Expected \`envelope\` to be an envelope or its JSON text, got \`${String(o.envelope)}\``);
    }
    const checked = checkStart(lineage, version, o);
    from = checked.from;
    if (!checked.ok && checked.error !== undefined) {
      throw new HotswapError(checked.error.code, checked.error.message, { details: { ...checked.error.details, blockers: checked.blockers } });
    }
    if (!checked.ok) return refuse(checked.blockers);
    const { snapshot, timers } = checked;
    const installed = install(core, { target: version, snapshot, rearm: checked.rearm, input: o.input });
    if (!installed.ok) {
      core.effects.cancelAllTimers(); // nothing of a refused start keeps running
      refuse(installed.blockers);
    } else core.attach(installed.actor, version);
    for (const t of timers) core.effects.startTimer(t.id, t.handler ?? t.id, t.remainingMs, t.payload);
    const component = new LiveComponent<LineageEvent<L>, LineageSnapshot<L>, LineageEmitted<L>>(core, journal, shadow, pool);
    box.component = component as LiveComponent;
    live.set(component as LiveComponent, core);
    return component;
  };

  return {
    clock,
    journal,
    start,
    tryStart: (lineage, o) => {
      try {
        return { ok: true, component: start(lineage, o) };
      } catch (error) {
        if (!(error instanceof HotswapError)) throw error;
        const blockers = (error.details as { blockers?: unknown } | undefined)?.blockers;
        return { ok: false, error: error.toJSON(), blockers: Array.isArray(blockers) ? (blockers as Blocker[]) : [] };
      }
    },
    swapAll: async (requests, o) => runSwapAll(parts(requests), o ?? {}, journal),
    swapRolling: async (requests, o) => runSwapRolling(parts(requests), o ?? {}, journal),
    components: () => [...live.keys()].filter((c) => c.status !== 'stopped'),
    stop: async () => {
      await Promise.all([...live.keys()].map((c) => c.stop()));
      live.clear();
      await pool.close();
    },
  };
}

/** Re-exported for `verifySnapshot` users who start from a snapshot by hand (`verifyState` is its deprecated array form). */
export { verifySnapshot, verifyState };

/** `options.shadow`: a ring of at most 1,000,000 events per segment, or none. */
function shadowRing(shadow: StartOptions['shadow'] | null): ShadowRing | undefined {
  if (shadow === undefined) return undefined;
  const n: unknown = (shadow as { events?: unknown } | null)?.events;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1_000_000) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`shadow.events\` to be an integer from 1 to 1000000, got ${shown(n)}`, { details: { argument: 'shadow.events' } });
  }
  return new ShadowRing(n);
}
