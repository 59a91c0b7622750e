/**
 * Rehearsal: a swap's plan, drain decision, migrate and verify steps run on a copy of the live state,
 * without pausing the component — the same step functions the swap runs (no second pipeline), so a
 * rehearsal refuses with the blockers the real swap would refuse with in those phases, and says what
 * drain would decide about the ledger right now. Optionally a shadow replay of recorded traffic
 * (src/swap/_internal/replay.ts). `swap(target, { rehearse })` runs {@link rehearsePlanned} after its
 * plan, before anything pauses. Pinned by test/swap/rehearse.test.ts and rehearse.property.test.ts.
 */
import type { Blocker, LinkRef } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { HotswapError, shown } from '../errors.ts';
import type { AnyLineage, PathStep } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import type { EffectOutcomes } from './report.ts';
import { effectSink, NO_EFFECTS, type MutableEffects } from './_internal/parts.ts';
import type { Projection, ReplayReport, ShadowRing } from './_internal/replay.ts';
import { copyState } from './_internal/copy.ts';
import { examine, type ExamineInput, type ExamineResult } from './_internal/examine.ts';
import { persistState } from '../xstate/adapter.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { findBlocking } from './_internal/quiescence.ts';
import { drain } from './drain.ts';
import { checkSwapOptions, checkTarget, type RehearseOptions, resolvePolicies, type SwapPolicies } from './options.ts';
import { plan } from './plan.ts';

export type { Projection, ReplayDivergence, ReplayReport, ReplayState } from './_internal/replay.ts';
export type { RehearseOptions } from './options.ts';

/**
 * The phases a rehearsal runs: `quiesce` only looks (what refuses at once, what the swap would wait
 * for), never waits; `replay` is the shadow replay; `install` only for a worker-hosted component's
 * replacement, whose candidate refused the state before migrating it (its install would have).
 */
export type RehearsalPhase = 'plan' | 'quiesce' | 'drain' | 'migrate' | 'verify' | 'replay' | 'install';

/** What a rehearsal found: result-first, discriminated on `ok`. */
export type Rehearsal = RehearsalBase & ({ readonly ok: true } | { readonly ok: false; readonly phase: RehearsalPhase });

interface RehearsalBase {
  readonly component: string;
  readonly from: number;
  readonly to: number;
  readonly path: readonly LinkRef[];
  /** Empty when `ok`. */
  readonly blockers: readonly Blocker[];
  /**
   * What the swap's quiesce would wait for right now (in-flight promises, leases): not a refusal —
   * the swap waits up to its deadline — but a rehearsal cannot know how long.
   */
  readonly waits: readonly Blocker[];
  /** What drain would decide about the effects pending now (the swap decides again after quiesce). */
  readonly effects: EffectOutcomes;
  /** Microseconds per phase run. */
  readonly timings: Readonly<Partial<Record<RehearsalPhase, number>>>;
  readonly totalUs: number;
  /** The shadow replay's findings, when asked for. */
  readonly replay?: ReplayReport;
}

const µs = (from: number): number => Math.round((performance.now() - from) * 1000);
const identity: Projection = (s) => s;

/** Checks the options of `rehearse` (and of a swap's `rehearse`): the error to reject with, or `undefined`. */
export function checkRehearseOptions(options: unknown, what = 'options'): HotswapError | undefined {
  if (options === undefined || options === true) return undefined;
  const base = checkSwapOptions(options, what);
  if (base !== undefined) return base;
  const o = options as RehearseOptions;
  if (o.replay !== undefined && typeof o.replay !== 'boolean') {
    return new HotswapError('INVALID_ARGUMENT', `Expected \`${what}.replay\` to be a boolean or absent, got ${shown(o.replay)}`, { details: { argument: `${what}.replay` } });
  }
  if (o.project !== undefined && typeof o.project !== 'function') {
    return new HotswapError('INVALID_ARGUMENT', `Expected \`${what}.project\` to be a function or absent, got ${shown(o.project)}`, { details: { argument: `${what}.project` } });
  }
  return undefined;
}

/** `component.rehearse()`: plan, then {@link rehearsePlanned}. Misuse throws `INVALID_ARGUMENT`; refusals are data. */
export function rehearse(core: ComponentCore, target: number | AnyVersion, options: RehearseOptions = {}, shadow?: ShadowRing): Rehearsal {
  const misuse = checkTarget(target) ?? checkRehearseOptions(options);
  if (misuse !== undefined) throw misuse;
  const t0 = performance.now();
  const lineage = options.lineage ?? core.lineage;
  const to = typeof target === 'number' ? target : target.version;
  const planned = plan(core, { lineage, target: to, expected: typeof target === 'number' ? undefined : target, signal: core.stopSignal });
  const timings = { plan: µs(t0) };
  if (!planned.ok) {
    const base = { component: core.name, from: core.version.version, to, path: planned.path, waits: [], effects: NO_EFFECTS, timings, totalUs: µs(t0) };
    return { ...base, ok: false, phase: 'plan', blockers: planned.blockers };
  }
  return rehearsePlanned(core, { lineage, steps: planned.steps, path: planned.path, target: planned.target, policies: options.policies, options, shadow, t0, timings });
}

export interface PlannedRehearsal {
  readonly lineage: AnyLineage;
  readonly steps: readonly PathStep[];
  readonly path: readonly LinkRef[];
  readonly target: AnyVersion;
  readonly policies: SwapPolicies | undefined;
  readonly options: RehearseOptions;
  readonly shadow: ShadowRing | undefined;
  readonly t0?: number;
  readonly timings?: Partial<Record<RehearsalPhase, number>>;
}

/**
 * Drain decision, migrate and verify (and the replay) of a planned swap on a copy: the live actor is
 * only read (a copy of its persisted snapshot), the ledger only inspected, nothing paused or applied.
 */
export function rehearsePlanned(core: ComponentCore, p: PlannedRehearsal): Rehearsal {
  const d = decide(core, p);
  if ('refused' in d) return d.refused;
  const persisted = persistState(core.actor);
  return d.finish(examine(d.examineInput(copyState(persisted.snapshot), persisted.actorRefs)));
}

/** What {@link decide} leaves to the state half: its input (given the snapshot), and how to finish. */
export interface Decided {
  readonly examineInput: (snapshot: PersistedSnapshot, actorRefs: boolean) => ExamineInput;
  readonly finish: (r: ExamineResult, extra?: object) => Rehearsal;
  /** A replay is asked for, with a record: the projection must travel to a pool worker too. */
  readonly replaying: boolean;
}

/**
 * The half of a rehearsal that needs the live component — quiesce's look and the drain decision, and
 * the shadow record — run on the main thread; the state half ({@link examine}) may run elsewhere.
 */
export function decide(core: ComponentCore, p: PlannedRehearsal): { refused: Rehearsal } | Decided {
  const t0 = p.t0 ?? performance.now();
  const timings: Partial<Record<RehearsalPhase, number>> = { ...p.timings };
  const from = core.version;
  const effects: MutableEffects = { carried: [], restarted: [], cancelled: [], adopted: [], aborted: [], transferred: [], revoked: [] };
  const policies = resolvePolicies(p.policies);
  let t = performance.now();
  // quiesce's own look at the component: what refuses at once, and what it would wait for
  const blocking = findBlocking(core, policies, p.target);
  timings.quiesce = µs(t);
  const base = { component: core.name, from: from.version, to: p.target.version, path: p.path, waits: blocking.soft, effects, timings };
  const refused = (phase: RehearsalPhase, blockers: readonly Blocker[], extra: object = {}): Rehearsal => ({
    ...base,
    ...extra,
    effects: NO_EFFECTS,
    totalUs: µs(t0),
    ok: false,
    phase,
    blockers,
  });
  if (blocking.hard.length > 0) return { refused: refused('quiesce', [...blocking.hard, ...blocking.soft]) };
  t = performance.now();
  const drained = drain(core, policies, p.target, effectSink(effects));
  timings.drain = µs(t);
  if (!drained.ok) return { refused: refused('drain', drained.blockers) };
  let segment: ReturnType<ShadowRing['segment']>;
  if (p.options.replay === true) {
    segment = p.shadow?.segment(core.actor.sessionId);
    if (segment === undefined) {
      const why = p.shadow === undefined ? 'the component records no events (start it with `shadow: { events }`)' : `no events recorded since v${from.version} started running`;
      const report: ReplayReport = { events: 0, recordedOn: from.version, actions: { old: 0, new: 0 }, failure: why, blockers: [] };
      return { refused: refused('replay', [replayMissing(why)], { replay: report }) };
    }
  }
  return {
    replaying: segment !== undefined,
    examineInput: (snapshot, actorRefs) => ({
      lineage: p.lineage,
      steps: p.steps,
      path: p.path,
      from,
      to: p.target,
      snapshot,
      actorRefs,
      delays: drained.carryable,
      delayPolicy: policies.delays,
      replay: segment === undefined ? undefined : { ...segment, project: p.options.project ?? identity },
    }),
    finish: (r, extra = {}) => {
      Object.assign(timings, r.timings);
      const replayed = r.replay === undefined ? {} : { replay: r.replay };
      if (!r.ok) return refused(r.phase, r.blockers, { ...replayed, ...extra });
      effects.carried.push(...r.carried);
      effects.restarted.push(...r.restarted);
      effects.cancelled.push(...r.cancelled);
      return { ...base, ...replayed, ...extra, ok: true, blockers: [], totalUs: µs(t0) };
    },
  };
}

const replayMissing = (why: string): Blocker => blocker('replay-divergence', { index: -1, event: '(none)', old: 'no recording', new: why });
