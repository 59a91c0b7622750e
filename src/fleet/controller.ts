/**
 * The rollout controller: starts a rollout, then moves it one compare-and-set step at a time (settle a
 * wave, judge its gate, finish a revert). It holds no state of its own: every tick reads the rollout
 * from the store, so any controller — another process, or this one after a crash — resumes where the
 * table says, and a controller that lost a race just reads again. Tests: test/fleet/controller.test.ts,
 * test/fleet/controllers-race.property.test.ts, test/fleet/postgres.test.ts.
 */
import { HotswapError, shown } from '../errors.ts';
import { settled } from './_internal/counts.ts';
import { createWaker } from './_internal/waker.ts';
import { newRolloutId } from './memory-store.ts';
import { checkGate, checkWaves, DEFAULT_WAVES, type GateCheck, judge } from './rules.ts';
import type { Evidence, FleetStore, GateVerdict, MoveResult, RolloutSpec, RolloutView, StartResult } from './types.ts';
import { isFinal } from './types.ts';

/**
 * Plans and starts a rollout of `spec.component` from `spec.from` to `spec.to` over the live instances
 * now on `from`; wave 0 opens at once. Refusals are data (`ROLLOUT_ACTIVE`, `NO_INSTANCES`, …); a
 * malformed spec throws `INVALID_ARGUMENT`.
 *
 * @example
 * const r = await startRollout(store, { component: 'driver', from: 1, to: 2, waves: [{ count: 1 }, { share: 0.5 }, { share: 1 }], gate: { soakMs: 30_000 } });
 */
export async function startRollout(store: FleetStore, spec: RolloutSpec): Promise<StartResult> {
  if (typeof spec !== 'object' || spec === null) throw new HotswapError('INVALID_ARGUMENT', `Expected a rollout spec, got ${shown(spec)}`);
  if (typeof spec.component !== 'string' || spec.component === '') throw new HotswapError('INVALID_ARGUMENT', `Expected \`component\` to be a non-empty string, got ${shown(spec.component)}`);
  for (const k of ['from', 'to'] as const) {
    if (!Number.isInteger(spec[k]) || spec[k] < 1) throw new HotswapError('INVALID_ARGUMENT', `Expected \`${k}\` to be a version (a positive integer), got ${shown(spec[k])}`);
  }
  if (spec.from === spec.to) throw new HotswapError('INVALID_ARGUMENT', `Expected \`to\` to differ from \`from\`, got ${spec.to} for both`);
  return store.startRollout({
    id: spec.id ?? newRolloutId(),
    component: spec.component,
    from: spec.from,
    to: spec.to,
    waves: checkWaves(spec.waves ?? DEFAULT_WAVES),
    gate: checkGate(spec.gate),
    by: spec.by ?? 'controller',
  });
}

/** Options of {@link tick} and {@link driveRollout}. */
export interface ControllerOptions {
  /** The caller's gate check, run after the soak as a live query; a throw counts as inconclusive. */
  readonly check?: GateCheck;
  /** Stops {@link driveRollout} between ticks. */
  readonly signal?: AbortSignal;
  /** Poll interval when no notification arrives. @defaultValue 250 */
  readonly pollMs?: number;
  /** Called with the rollout after every tick that moved it, and every poll. */
  readonly onProgress?: (view: RolloutView) => void;
}

/** What one tick did. */
export interface TickResult {
  readonly view: RolloutView;
  /** The move it made, or the refusal it got (`CAS_LOST`: another controller moved first). */
  readonly move?: MoveResult;
  /** When nothing can happen before then (a gate soaking), how long to wait. */
  readonly waitMs?: number;
}

/**
 * Makes at most one move on the rollout: the one its table state calls for. Idempotent: running it
 * twice, or from two controllers, never moves the rollout twice for one reason.
 */
export async function tick(store: FleetStore, rolloutId: string, options: ControllerOptions = {}): Promise<TickResult> {
  let view = await read(store, rolloutId);
  const { rollout } = view;
  switch (rollout.status) {
    case 'waving': {
      if ((await store.expireDeadAgents(rolloutId)) > 0) view = await read(store, rolloutId);
      const wave = view.waves[rollout.wave];
      if (wave === undefined || !settled(wave)) return { view };
      return moved(store, view, await store.move(rolloutId, rollout.version, { kind: 'settle-wave' }));
    }
    case 'gating': {
      const elapsed = view.now - (rollout.gateStartedAt ?? view.now);
      if (elapsed < rollout.gate.soakMs) return { view, waitMs: rollout.gate.soakMs - elapsed };
      const evidence = await gateEvidence(store, view, options.check);
      const { verdict, reason } = judge(rollout.gate, evidence);
      return moved(store, view, await store.move(rolloutId, rollout.version, { kind: 'decide', verdict, evidence, reason }));
    }
    case 'reverting': {
      await store.expireDeadAgents(rolloutId);
      await store.ensureRevertSteps(rolloutId);
      view = await read(store, rolloutId);
      // another controller may have finished the revert meanwhile: judge the state just read, not the first one
      if (view.rollout.status !== 'reverting' || !view.waves.every(settled) || !settled(view.revert)) return { view };
      return moved(store, view, await store.move(rolloutId, view.rollout.version, { kind: 'finish-revert' }));
    }
    default:
      return { view };
  }
}

async function moved(store: FleetStore, before: RolloutView, move: MoveResult): Promise<TickResult> {
  return { view: move.ok ? await read(store, before.rollout.id) : before, move };
}

async function read(store: FleetStore, rolloutId: string): Promise<RolloutView> {
  const view = await store.view(rolloutId);
  if (view === undefined) throw new HotswapError('INVALID_ARGUMENT', `Expected a rollout id, got ${shown(rolloutId)}: no such rollout`);
  return view;
}

async function gateEvidence(store: FleetStore, view: RolloutView, check: GateCheck | undefined): Promise<Evidence> {
  const evidence = await store.evidence(view.rollout.id, view.rollout.wave);
  if (check === undefined) return evidence;
  let verdict: GateVerdict;
  let detail: unknown;
  try {
    const r = await check({ rollout: view.rollout, evidence });
    ({ verdict, detail } = typeof r === 'string' ? { verdict: r, detail: undefined } : r);
    if (verdict !== 'pass' && verdict !== 'fail' && verdict !== 'inconclusive') ({ verdict, detail } = { verdict: 'inconclusive', detail: `the check returned ${shown(verdict)}` });
  } catch (error) {
    verdict = 'inconclusive';
    detail = `the check threw: ${error instanceof Error ? error.message : String(error)}`;
  }
  return { ...evidence, check: detail === undefined ? { verdict } : { verdict, detail } };
}

/**
 * Drives a rollout until it completes, aborts or pauses for a person (or `signal` aborts), waking on
 * the store's notifications with a poll as fallback. Resolves to the last view.
 */
export async function driveRollout(store: FleetStore, rolloutId: string, options: ControllerOptions = {}): Promise<RolloutView> {
  const pollMs = options.pollMs ?? 250;
  const waker = createWaker(store);
  try {
    for (;;) {
      const t = await tick(store, rolloutId, options);
      options.onProgress?.(t.view);
      const status = t.view.rollout.status;
      if (isFinal(status) || status === 'paused' || options.signal?.aborted === true) return t.view;
      if (t.move !== undefined) continue; // moved, or lost a race: read again at once
      await waker.sleep(Math.min(pollMs, t.waitMs ?? pollMs), options.signal);
    }
  } finally {
    waker.close();
  }
}

/** Resumes a paused rollout (the person's "promote"), compare-and-set on `expectedVersion`. */
export async function resumeRollout(store: FleetStore, rolloutId: string, options: { readonly expectedVersion?: number; readonly by?: string } = {}): Promise<MoveResult> {
  return personMove(store, rolloutId, options.expectedVersion, { kind: 'resume', by: options.by ?? 'operator' });
}

/** Aborts a rollout: cancels what is not yet swapped and reverts what was, through `down` links. */
export async function abortRollout(store: FleetStore, rolloutId: string, options: { readonly expectedVersion?: number; readonly by?: string; readonly reason?: string } = {}): Promise<MoveResult> {
  return personMove(store, rolloutId, options.expectedVersion, { kind: 'abort', by: options.by ?? 'operator', reason: options.reason ?? 'requested' });
}

async function personMove(store: FleetStore, rolloutId: string, expectedVersion: number | undefined, move: { kind: 'resume'; by: string } | { kind: 'abort'; by: string; reason: string }): Promise<MoveResult> {
  const version = expectedVersion ?? (await store.view(rolloutId))?.rollout.version;
  if (version === undefined) return { ok: false, code: 'NOT_FOUND', message: `no rollout ${rolloutId}` };
  return store.move(rolloutId, version, move);
}
