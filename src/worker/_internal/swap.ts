/**
 * The swap steps of a worker-hosted component that need no state of their own: the plan-time
 * refusals, the caller's preconditions (run on the main thread against a live query of the state),
 * the swap to a version of the running module (inside the worker, through the ordinary coordinator)
 * and the refused report. The drained replacement to another module is replace.ts.
 *
 * Why a {@link SwapHost}: the component keeps its state in `#private` fields; a step gets the few
 * verbs it needs through this interface instead of public fields. Split out of host.ts; pinned by
 * test/worker/api.test.ts (in-worker swap, revert, preconditions, refusals), swap.test.ts and
 * swap.property.test.ts (through replace.ts).
 */
import { randomUUID } from 'node:crypto';
import type { EventObject } from 'xstate';
import type { Blocker, LinkRef } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import type { Envelope } from '../../store/envelope.ts';
import type { SwapPhase, SwapReport } from '../../swap/report.ts';
import { NO_EFFECTS } from '../../swap/_internal/parts.ts';
import type { WorkerStatus, WorkerSwapOptions } from '../types.ts';
import type { Channel } from './channel.ts';
import type { HostedSnapshot, PlainPolicies, Request, WorkerInit } from './protocol.ts';

/** The commit point of a replacement: the candidate, running `module`, takes over at `seq`. */
export interface Takeover {
  /** The swap's id (its report's, made before the commit so a probation settled at once can name it). */
  readonly id: string;
  readonly candidate: Channel;
  readonly module: string;
  readonly version: number;
  readonly seq: number;
  readonly envelope: Envelope | undefined;
  readonly snapshot: HostedSnapshot;
  /** The state the old worker handed over (at `seq`): what a probation's rollback resumes it from. */
  readonly handedOver: Envelope;
}

/** What a swap step may read and do of its component (built by `WorkerComponent` for each swap). */
export interface SwapHost {
  /** Instance id and component (lineage) name. */
  readonly id: string;
  readonly name: string;
  /** The start input (a candidate's warm-up start uses it). */
  readonly input: unknown;
  readonly startTimeoutMs: number;
  /** The running version's number, now. */
  version(): number;
  /** The serving worker (a swap starts only while running). */
  channel(): Channel;
  /** A new request id for a message that is answered. */
  nextId(): number;
  /** Asks the worker after every event sent so far. */
  query(what: 'snapshot'): Promise<HostedSnapshot>;
  /** Asks the serving worker (after every event sent so far) and resolves with its reply's value. */
  request(m: Request): Promise<unknown>;
  /** Posts the events accepted so far. */
  flush(): void;
  /** An in-worker swap ended: mirror its snapshot, and its version and history when it committed. */
  settle(report: SwapReport, snapshot: HostedSnapshot, revert: boolean): void;
  /** Starts a candidate worker for this component. */
  spawnCandidate(module: string, extra: Partial<WorkerInit>): Channel;
  /** Flushes, then holds new sends on the main thread. */
  hold(): void;
  /** Posts what was held, in order, to the current worker; returns how many. */
  release(): number;
  /** Events held right now (for the candidate's acceptance check). */
  heldEvents(): readonly EventObject[];
  /** The candidate takes over; the old worker is terminated (kept paused while on probation). */
  commit(takeover: Takeover): void;
  /**
   * The old worker died during the replacement: keep the held events (the crash report names them),
   * and, when it had handed its state over, record that envelope as the checkpoint a restart resumes
   * from. The crash itself is reported once the swap's report is out.
   */
  abandon(drained: { readonly seq: number; readonly envelope: Envelope } | undefined): void;
}

/** The versions committed swaps came from, newest last (up to 64): what `revert()` goes back to. */
export class History {
  static readonly MAX = 64;
  readonly #from: number[] = [];

  committed(from: number): void {
    if (this.#from.push(from) > History.MAX) this.#from.shift();
  }
  reverted(): void {
    this.#from.pop();
  }
  /** The version before the last committed swap, or the one below `running` when there is none. */
  revertTarget(running: number): number {
    return this.#from.at(-1) ?? running - 1;
  }
}

/** The links from `from` to `to`, one version at a time. */
export function pathOf(from: number, to: number): LinkRef[] {
  const path: LinkRef[] = [];
  const step = to > from ? 1 : -1;
  for (let v = from; v !== to; v += step) path.push({ from: v, to: v + step });
  return path;
}

/** A refused report for a worker-hosted component (nothing paused, nothing changed). */
export function refusedReport(
  host: Pick<SwapHost, 'name' | 'version'>,
  to: number,
  phase: SwapPhase,
  blockers: readonly Blocker[],
  extra: { timings?: Partial<Record<SwapPhase, number>>; totalUs?: number; pauseUs?: number; held?: number; hash?: string } = {},
): SwapReport {
  const from = host.version();
  return {
    id: randomUUID(),
    component: host.name,
    ok: false,
    outcome: 'refused',
    from,
    to,
    path: pathOf(from, to),
    phase,
    blockers,
    timings: extra.timings ?? {},
    totalUs: extra.totalUs ?? 0,
    pauseUs: extra.pauseUs ?? 0,
    held: extra.held ?? 0,
    effects: NO_EFFECTS,
    at: new Date().toISOString(),
    ...(extra.hash === undefined ? {} : { beforeHash: extra.hash, afterHash: extra.hash }),
  };
}

/** Refusals known before anything is asked of a worker. */
export function planBlockers(state: { readonly id: string; readonly status: WorkerStatus; readonly swapping: boolean; readonly version: number }, options: WorkerSwapOptions): Blocker[] {
  if (state.status === 'stopped' || state.status === 'crashed' || state.status === 'restarting') {
    return [blocker('component-stopped', { component: state.id })];
  }
  if (state.swapping) return [blocker('swap-in-progress', { swapId: 'worker', target: state.version, since: 0 })];
  if (typeof options.policies?.promises === 'function') {
    return [blocker('cross-isolate', { what: 'a promise policy function', reason: 'functions cannot be sent to a worker; pass a policy name' })];
  }
  return [];
}

/** Runs the caller's preconditions on the main thread against a live query of the state. */
export async function preconditions(host: SwapHost, to: number, options: WorkerSwapOptions): Promise<Blocker[]> {
  const checks = options.preconditions;
  if (checks === undefined || Object.keys(checks).length === 0) return [];
  const state = await host.query('snapshot');
  const signal = options.signal ?? new AbortController().signal;
  const failures: Blocker[] = [];
  for (const [name, check] of Object.entries(checks)) {
    try {
      const ok = await check({ instance: host.id, lineage: host.name, component: host.id, from: host.version(), to, state: { value: state.value, context: state.context }, signal });
      if (ok !== true) failures.push(blocker('precondition-failed', { name, reason: ok === false ? 'returned false' : String(ok) }));
    } catch (error) {
      failures.push(blocker('precondition-failed', { name, reason: `threw: ${error instanceof Error ? error.message : String(error)}` }));
    }
  }
  return failures;
}

/** Swaps to version `target` of the running module, inside the running worker. */
export async function inWorker(host: SwapHost, target: number, options: WorkerSwapOptions, revert: boolean): Promise<SwapReport> {
  const failed = await preconditions(host, target, options);
  if (failed.length > 0) return refusedReport(host, target, 'plan', failed);
  const ch = host.channel();
  host.flush();
  const id = host.nextId();
  ch.post({
    t: 'swap',
    id,
    target,
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
    ...(options.policies === undefined ? {} : { policies: options.policies as PlainPolicies }),
    ...(options.rehearse === undefined ? {} : { rehearse: true as const }),
  });
  const r = await ch.until((m) => (m.t === 'report' && m.id === id ? m : undefined), (options.deadlineMs ?? 1000) + host.startTimeoutMs);
  if (!r.ok) {
    return refusedReport(host, target, 'quiesce', [
      blocker('worker-crashed', { component: host.name, role: 'old', error: r.crash?.error ?? { name: 'TimeoutError', message: 'no report from the worker' } }),
    ]);
  }
  const { report, snapshot } = r.value;
  host.settle(report, snapshot, revert);
  return { ...report, component: host.name };
}
