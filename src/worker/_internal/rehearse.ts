/**
 * Rehearsal of a worker-hosted component's swap: the swap's checks run on a copy of the serving
 * worker's state, and the serving worker never pauses (it answers between two event batches, as it
 * answers `persist()`).
 *
 * - A version of the running module (`rehearse(n)`): the serving worker runs its component's own
 *   in-process rehearsal (src/swap/rehearse.ts) — plan, quiesce's look, drain's decision, migrate and
 *   verify on a copy — and sends the result back as data.
 * - Another module (`rehearse({ module })`, a plugin file): a candidate worker loads the module by URL
 *   and validates it, exactly as a drained replacement's does (candidate.ts `loadCandidate`); the serving
 *   worker makes quiesce's look and drain's decision now and hands a copy of its state, as an envelope
 *   (`look`: handover.ts without the wait and without the pause); the candidate runs its install's
 *   migrate and verify on that envelope (`examine`: src/runtime/_internal/start-check.ts) and installs
 *   nothing; then the candidate is terminated.
 *
 * `swap({ module }, { rehearse: true })` runs the second form in the swap's own candidate before
 * anything is held (replace.ts); `swap(n, { rehearse: true })` passes `rehearse` to the worker's
 * in-process swap. Either refuses in phase `plan` with the rehearsal's blockers. Pinned by
 * test/worker/rehearse.test.ts.
 */
import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import { HotswapError, shown } from '../../errors.ts';
import { NO_EFFECTS } from '../../swap/_internal/parts.ts';
import type { Rehearsal, RehearsalPhase } from '../../swap/rehearse.ts';
import type { EffectOutcomes } from '../../swap/report.ts';
import type { Channel } from './channel.ts';
import type { Examined, Looked, PlainPolicies } from './protocol.ts';
import { installPhase, loadCandidate } from './candidate.ts';
import { pathOf, type SwapHost } from './swap.ts';

/** Options of `WorkerComponent.rehearse`: what can cross to a worker. */
export interface WorkerRehearseOptions {
  /** The policies drain decides with, by name. @defaultValue the swap defaults */
  readonly policies?: PlainPolicies;
}

const µs = (from: number): number => Math.round((performance.now() - from) * 1000);

/**
 * Why these rehearsal options (of `rehearse`, or a swap's `rehearse`) are misuse for a worker-hosted
 * component, or `undefined`: a shadow replay needs a recording and a projection function, and neither
 * is kept for a component whose actor runs in another thread.
 */
export function workerRehearseMisuse(options: unknown, what: string): HotswapError | undefined {
  if (options === undefined || options === true) return undefined;
  if (typeof options !== 'object' || options === null) {
    return new HotswapError('INVALID_ARGUMENT', `Expected \`${what}\` to be ${what === 'options' ? 'an object' : '`true` or an object'} or absent, got ${shown(options)}`, { details: { argument: what } });
  }
  for (const key of ['replay', 'project', 'lineage'] as const) {
    const v = (options as Record<string, unknown>)[key];
    if (v !== undefined && v !== false) {
      const why = key === 'lineage' ? 'a worker-hosted component takes its lineage from its module' : 'a worker-hosted component records no events for a shadow replay; rehearse in-process for that';
      return new HotswapError('INVALID_ARGUMENT', `Expected \`${what}.${key}\` to be absent (${why}), got ${shown(v)}`, { details: { argument: `${what}.${key}` } });
    }
  }
  const policies = (options as { policies?: unknown }).policies;
  if (policies !== undefined && (typeof policies !== 'object' || policies === null || Object.values(policies).some((p) => typeof p === 'function'))) {
    return new HotswapError('INVALID_ARGUMENT', `Expected \`${what}.policies\` to be policies by name (functions cannot be sent to a worker), got ${shown(policies)}`, { details: { argument: `${what}.policies` } });
  }
  return undefined;
}

/** `WorkerComponent.rehearse`: `early` are the refusals known before anything is asked of a worker. */
export async function rehearseWorker(host: SwapHost, target: number | { readonly module: string; readonly version: number | undefined; readonly exact: boolean }, options: WorkerRehearseOptions, early: readonly Blocker[]): Promise<Rehearsal> {
  const t0 = performance.now();
  const to = typeof target === 'number' ? target : (target.version ?? host.version());
  if (early.length > 0) return refused(host, { to, phase: 'plan', blockers: early, timings: { plan: µs(t0) }, t0 });
  if (typeof target === 'number') {
    let r: Rehearsal;
    try {
      r = (await host.request({ t: 'rehearse', target, ...(options.policies === undefined ? {} : { policies: options.policies }) })) as Rehearsal;
    } catch (error) {
      return refused(host, { to, phase: 'plan', blockers: [crashed(host, 'old', error)], timings: {}, t0 });
    }
    return { ...r, component: host.name, totalUs: µs(t0) };
  }
  const loaded = await loadCandidate(host, target);
  const timings = { plan: µs(t0) };
  if (!loaded.ok) return refused(host, { to: loaded.to, phase: 'plan', blockers: loaded.blockers, timings, t0 });
  try {
    const r = await rehearseWith(host, loaded.candidate, { module: target.module, to: loaded.to, policies: options.policies });
    return { ...r, timings: { ...timings, ...r.timings }, totalUs: µs(t0) };
  } finally {
    void loaded.candidate.terminate();
  }
}

/**
 * The serving worker's look (quiesce, drain) and a loaded candidate's examine (migrate, verify) of a
 * copy of its state: the candidate stays loaded, so a swap can go on with it.
 */
export async function rehearseWith(host: SwapHost, candidate: Channel, r: { readonly module: string; readonly to: number; readonly policies: PlainPolicies | undefined }): Promise<Rehearsal> {
  const t0 = performance.now();
  let looked: Looked;
  try {
    looked = (await host.request({ t: 'look', policies: r.policies ?? {} })) as Looked;
  } catch (error) {
    return refused(host, { to: r.to, phase: 'quiesce', blockers: [crashed(host, 'old', error)], timings: {}, t0 });
  }
  const timings: Partial<Record<RehearsalPhase, number>> = { ...looked.us };
  if (!looked.ok) return refused(host, { to: r.to, phase: looked.phase, blockers: looked.blockers, waits: looked.waits, timings, t0 });
  let examined: Examined;
  try {
    examined = (await candidate.ask({ t: 'examine', id: host.nextId(), envelope: looked.envelope, version: r.to }, host.startTimeoutMs, host.name)) as Examined;
  } catch (error) {
    return refused(host, { to: r.to, phase: 'migrate', blockers: [crashed(host, 'candidate', error)], waits: looked.waits, timings, t0 });
  }
  if (!examined.ok) {
    const blockers = examined.blockers.length > 0 ? examined.blockers : [blocker('candidate-failed', { module: r.module, phase: 'install', error: examined.error ?? { name: 'HotswapError', message: 'the candidate refused the state' } })];
    timings.migrate = examined.us; // migrate and verify, one step in the candidate
    return refused(host, { to: r.to, phase: installPhase(blockers), blockers, waits: looked.waits, timings, t0 });
  }
  timings.migrate = examined.us;
  return { ...base(host, r.to, looked.waits, looked.effects, timings, t0), ok: true, blockers: [] };
}

function base(host: SwapHost, to: number, waits: readonly Blocker[], effects: EffectOutcomes, timings: Partial<Record<RehearsalPhase, number>>, t0: number) {
  const from = host.version();
  return { component: host.name, from, to, path: pathOf(from, to), waits, effects, timings, totalUs: µs(t0) };
}

function refused(
  host: SwapHost,
  r: { to: number; phase: RehearsalPhase; blockers: readonly Blocker[]; waits?: readonly Blocker[]; timings: Partial<Record<RehearsalPhase, number>>; t0: number },
): Rehearsal {
  return { ...base(host, r.to, r.waits ?? [], NO_EFFECTS, r.timings, r.t0), ok: false, phase: r.phase, blockers: r.blockers };
}

const crashed = (host: SwapHost, role: 'old' | 'candidate', error: unknown): Blocker =>
  blocker('worker-crashed', { component: host.name, role, error: { name: (error as Error | undefined)?.name ?? 'Error', message: (error as Error | undefined)?.message ?? String(error) } });
