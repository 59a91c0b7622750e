/**
 * The drained replacement: a swap of a worker-hosted component to a version of another module.
 *
 *   load candidate  →  hold  →  quiesce + drain (old worker)  →  migrate + verify + install (candidate)  →  commit
 *   (not paused)        └──────────── any refusal: the old worker resumes untouched, the candidate is terminated ───┘
 *
 * With `options.rehearse`, the candidate first examines a copy of the old worker's state (rehearse.ts)
 * and a failure refuses in plan. The candidate worker starts and validates its module *before* anything is held (a worker start is
 * tens of ms, more from source); a failing one is terminated and the old worker never noticed. The
 * handover request travels the old worker's port behind every event posted before the hold, so the
 * old worker processes all of them first (G1). Commit posts the held events to the candidate, in
 * order, and terminates the old worker (on probation, swap-host.ts keeps it paused until the window ends). If the old worker dies mid-way, the swap is refused, the
 * candidate terminated, and the held events stay for the crash report (host.ts reports the crash
 * after the swap's report, and restarts from the handed-over envelope when there is one). Pinned by test/worker/swap.test.ts and swap.property.test.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import { DEFAULT_DEADLINE_MS, resolvePolicies } from '../../swap/options.ts';
import type { Envelope } from '../../store/envelope.ts';
import type { SwapPhase, SwapReport } from '../../swap/report.ts';
import type { WorkerSwapOptions } from '../types.ts';
import type { PlainPolicies, WorkerError } from './protocol.ts';
import { installPhase, loadCandidate } from './candidate.ts';
import { rehearseWith } from './rehearse.ts';
import { pathOf, preconditions, refusedReport, type SwapHost } from './swap.ts';

const µs = (from: number): number => Math.round((performance.now() - from) * 1000);

const crashed = (host: SwapHost, role: 'old' | 'candidate', error: WorkerError | undefined): Blocker =>
  blocker('worker-crashed', { component: host.name, role, error: error ?? { name: 'TimeoutError', message: 'the worker did not answer in time' } });

/** Swaps to a version of another module: a new worker replaces the running one (see above). */
export async function replace(host: SwapHost, request: { module: string; version: number | undefined; exact: boolean; options: WorkerSwapOptions }): Promise<SwapReport> {
  const t0 = performance.now();
  const at = new Date().toISOString();
  const { options } = request;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const timings: Partial<Record<SwapPhase, number>> = {};
  const from = host.version();

  // ── plan: preconditions, then the candidate loads and validates, invisible to the old worker ──
  let mark = performance.now();
  const failed = await preconditions(host, request.version ?? from, options);
  if (failed.length > 0) return refusedReport(host, request.version ?? from, 'plan', failed, { totalUs: µs(t0) });
  const loaded = await loadCandidate(host, request);
  const to = loaded.to;
  timings.plan = µs(mark);
  if (!loaded.ok) return refusedReport(host, to, 'plan', loaded.blockers, { timings, totalUs: µs(t0) });
  const { candidate } = loaded;
  if (options.rehearse !== undefined) {
    // on a copy of the old worker's state, in this very candidate: refused here, nothing was held
    const r = await rehearseWith(host, candidate, { module: request.module, to, policies: options.policies as PlainPolicies | undefined });
    timings.plan = µs(mark);
    if (!r.ok) {
      void candidate.terminate();
      return refusedReport(host, to, 'plan', r.blockers, { timings, totalUs: µs(t0) });
    }
  }
  if (options.signal?.aborted === true) {
    void candidate.terminate();
    return refusedReport(host, to, 'plan', [blocker('aborted', { reason: 'signal aborted' })], { timings, totalUs: µs(t0) });
  }

  // ── hold, then quiesce and drain in the old worker, behind every event posted so far ──
  const old = host.channel();
  host.hold();
  const pauseStart = (mark = performance.now());
  const state: { handedOver?: { seq: number; envelope: Envelope } } = {};
  const refuse = (phase: SwapPhase, blockers: readonly Blocker[], resumeOld: boolean): SwapReport => {
    void candidate.terminate();
    if (old.exited) {
      // the old worker crashed mid-replacement: nothing posted to it now would be processed
      const held = host.heldEvents().length;
      host.abandon(state.handedOver);
      const died = blockers.some((b) => b.kind === 'worker-crashed' && b.role === 'old') ? blockers : [...blockers, crashed(host, 'old', { name: 'WorkerExit', message: 'the worker died after handing over its state' })];
      return refusedReport(host, to, phase, died, { timings, totalUs: µs(t0), pauseUs: µs(pauseStart), held });
    }
    if (resumeOld) old.post({ t: 'resume' });
    const held = host.release();
    return refusedReport(host, to, phase, blockers, { timings, totalUs: µs(t0), pauseUs: µs(pauseStart), held });
  };
  const id = host.nextId();
  const policies: PlainPolicies = resolvePolicies(options.policies as PlainPolicies | undefined) as PlainPolicies;
  old.post({ t: 'handover', id, deadlineMs, policies });
  const drained = await old.until((m) => ((m.t === 'drained' || m.t === 'drain-refused') && m.id === id ? m : undefined), deadlineMs + 30_000);
  timings.quiesce = µs(mark);
  if (!drained.ok) return refuse('quiesce', [crashed(host, 'old', drained.crash?.error)], false);
  if (drained.value.t === 'drain-refused') return refuse('quiesce', drained.value.blockers, false);
  const { envelope, seq, effects } = drained.value;
  state.handedOver = { seq, envelope };

  // ── migrate, verify, install: the candidate's cold restore from the handed-over envelope ──
  mark = performance.now();
  candidate.post({ t: 'install', envelope, version: to, seq, held: host.heldEvents(), ...(options.probation === undefined ? {} : { probation: true }) });
  const installed = await candidate.until((m) => (m.t === 'installed' || m.t === 'install-refused' ? m : undefined), 30_000);
  timings.install = µs(mark);
  if (!installed.ok) return refuse('install', [crashed(host, 'candidate', installed.crash?.error)], true);
  if (installed.value.t === 'install-refused') {
    const v = installed.value;
    const blockers = v.blockers.length > 0 ? v.blockers : [blocker('candidate-failed', { module: request.module, phase: 'install', error: v.error })];
    return refuse(installPhase(blockers), blockers, true);
  }

  // ── commit: the candidate takes over; the held events follow, in order; the old worker ends ──
  mark = performance.now();
  const swapId = randomUUID();
  host.commit({ id: swapId, candidate, module: request.module, version: installed.value.version, seq, envelope: installed.value.envelope, snapshot: installed.value.snapshot, handedOver: envelope });
  const held = host.release();
  timings.resume = µs(mark);
  return {
    id: swapId,
    component: host.name,
    ok: true,
    outcome: 'committed',
    from,
    to,
    path: pathOf(from, to),
    blockers: [],
    timings,
    totalUs: µs(t0),
    pauseUs: µs(pauseStart),
    held,
    effects,
    at,
    beforeHash: envelope.hash,
    ...(installed.value.envelope === undefined ? {} : { afterHash: installed.value.envelope.hash }),
  };
}
