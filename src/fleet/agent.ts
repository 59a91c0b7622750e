/**
 * The fleet agent: one per process. It registers the process's live components with a heartbeat lease,
 * wakes on the store's notifications (poll as fallback), claims its pending steps, swaps each instance
 * through the local coordinator (`component.swap`, the same refusals and journal as a local swap) and
 * records every outcome in the transaction that completes the step. If the agent dies, its lease runs
 * out and the controller reports its open steps `unknown`, never upgraded. Tests: test/fleet/agent.test.ts,
 * test/fleet/rollout-processes.test.ts.
 */
import { hostname } from 'node:os';
import { HotswapError, shown } from '../errors.ts';
import type { LiveComponent } from '../runtime/component.ts';
import type { SwapOptions } from '../swap/options.ts';
import type { SwapReport } from '../swap/report.ts';
import { sliced } from './_internal/sliced.ts';
import { createWaker } from './_internal/waker.ts';
import type { FleetStore, Step, StepOutcome, SwapSummary } from './types.ts';

/** Options of {@link startAgent}. */
export interface AgentOptions {
  readonly store: FleetStore;
  /** Stable id of this agent (one per process). */
  readonly agentId: string;
  /** @defaultValue `${hostname()}:${process.pid}` */
  readonly process?: string;
  /** The live components this agent offers to rollouts, e.g. `() => runtime.components()`. */
  readonly components: () => readonly LiveComponent<any>[];
  /** Lease length, judged by the store's clock. @defaultValue 5000 */
  readonly leaseMs?: number;
  /** @defaultValue a third of `leaseMs` */
  readonly heartbeatMs?: number;
  /** Poll interval when no notification arrives. @defaultValue 250 */
  readonly pollMs?: number;
  /** Steps claimed, and recorded, per transaction. @defaultValue 250 */
  readonly batch?: number;
  /** Swaps in flight at once within a batch (those waiting on I/O overlap). @defaultValue 16 */
  readonly concurrency?: number;
  /**
   * The agent yields a turn of the event loop whenever this much of its swap work has run since the
   * last turn, so the events the process serves never wait much longer behind a batch. @defaultValue 4
   */
  readonly sliceMs?: number;
  /** Options for every swap (deadline, policies). */
  readonly swap?: SwapOptions;
  /**
   * Store errors (a lost connection): reported here, and the agent retries at the next poll.
   * @defaultValue a process warning (`HOTSWAP_FLEET_STORE`), never a throw
   */
  readonly onError?: (error: unknown) => void;
}

/** A running agent. */
export interface Agent {
  readonly agentId: string;
  /** Steps this agent recorded. */
  readonly recorded: number;
  /** Re-registers the instances (after starting or stopping components). */
  refresh(): Promise<void>;
  /** Stops claiming; resolves when the batch in hand is recorded. The lease is left to run out. */
  stop(): Promise<void>;
}

/**
 * Registers this process's components and starts serving rollouts.
 *
 * @example
 * const agent = await startAgent({ store, agentId: `api-${process.pid}`, components: () => runtime.components() });
 */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  if (typeof options !== 'object' || options === null || typeof options.components !== 'function') throw new HotswapError('INVALID_ARGUMENT', `Expected agent options with a \`components\` function, got ${shown(options)}`);
  if (typeof options.agentId !== 'string' || options.agentId === '') throw new HotswapError('INVALID_ARGUMENT', `Expected \`agentId\` to be a non-empty string, got ${shown(options.agentId)}`);
  const { store, agentId } = options;
  const leaseMs = positive('leaseMs', options.leaseMs ?? 5000);
  const heartbeatMs = positive('heartbeatMs', options.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3)));
  const pollMs = positive('pollMs', options.pollMs ?? 250);
  const batch = positive('batch', options.batch ?? 250);
  const concurrency = positive('concurrency', options.concurrency ?? 16);
  const sliceMs = positive('sliceMs', options.sliceMs ?? 4);
  // a store that is briefly unreachable must not take the server down with it: warn, and retry at the next poll
  const onError = options.onError ?? ((e: unknown) => process.emitWarning(`hotswap fleet agent ${options.agentId}: ${e instanceof Error ? e.message : String(e)}`, { code: 'HOTSWAP_FLEET_STORE' }));
  const info = () => ({
    agentId,
    process: options.process ?? `${hostname()}:${process.pid}`,
    instances: options.components().filter((c) => c.status !== 'stopped').map((c) => ({ component: c.name, instance: c.id, version: c.version })),
  });

  await store.registerAgent(info(), leaseMs);
  let stopped = false;
  let recorded = 0;
  const waker = createWaker(store);

  const heartbeat = setInterval(() => {
    store.heartbeat(agentId, leaseMs).then(
      // a lease that ran out was declared dead: its steps are unknown; come back as a fresh registration
      (live) => (live || stopped ? undefined : store.registerAgent(info(), leaseMs)),
    ).catch(onError);
  }, heartbeatMs);
  heartbeat.unref?.();

  const run = async (step: Step, hosted: ReadonlyMap<string, LiveComponent<any>>): Promise<StepOutcome> => {
    const c = hosted.get(`${step.component}\u0000${step.instance}`);
    const report: SwapSummary =
      c === undefined || c.status === 'stopped' ? refusal(step, 'not-hosted', `instance ${step.instance} of ${step.component} is not running in agent ${agentId}`)
      : c.version === step.target ? { outcome: 'committed', from: step.target, to: step.target, blockers: [], pauseUs: 0, totalUs: 0, journalId: 'already-there' }
      : c.version !== step.from ? refusal(step, 'version-moved', `instance ${step.instance} runs v${c.version}, the step expects v${step.from}`)
      : summarize(await c.swap(step.target, options.swap));
    return { rolloutId: step.rolloutId, kind: step.kind, instance: step.instance, report };
  };

  const work = async (): Promise<void> => {
    while (!stopped) {
      let steps: readonly Step[] = [];
      try {
        steps = await store.claimSteps(agentId, batch);
      } catch (error) {
        onError(error);
      }
      if (steps.length === 0) {
        await sleep();
        continue;
      }
      const hosted = new Map(options.components().map((c) => [`${c.name}\u0000${c.id}`, c]));
      // time-sliced, not in groups: a group of in-process swaps settles through microtasks alone, one long block
      const outcomes = await sliced(steps, concurrency, sliceMs, (step) => run(step, hosted));
      for (;;) {
        try {
          recorded += await store.completeSteps(agentId, outcomes);
          break;
        } catch (error) {
          // the swaps happened: keep trying to record them until stopped (the lease tells the rest)
          onError(error);
          if (stopped) break;
          await sleep();
        }
      }
    }
  };
  const sleep = (): Promise<void> => (stopped ? Promise.resolve() : waker.sleep(pollMs));
  const loop = work();

  return {
    agentId,
    get recorded() {
      return recorded;
    },
    refresh: () => store.registerAgent(info(), leaseMs),
    async stop() {
      stopped = true;
      clearInterval(heartbeat);
      waker.interrupt();
      waker.close();
      await loop;
    },
  };
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) throw new HotswapError('INVALID_ARGUMENT', `Expected \`${name}\` to be a positive integer of at most 2147483647, got ${shown(value)}`);
  return value;
}

/** The part of a swap report the fleet keeps. */
export function summarize(r: SwapReport): SwapSummary {
  return {
    outcome: r.outcome,
    from: r.from,
    to: r.to,
    ...(r.phase === undefined ? {} : { phase: r.phase }),
    blockers: r.blockers.map((b) => ({ kind: b.kind, message: b.message })),
    pauseUs: r.pauseUs,
    totalUs: r.totalUs,
    journalId: r.id,
  };
}

function refusal(step: Step, kind: string, message: string): SwapSummary {
  return { outcome: 'refused', from: step.from, to: step.target, phase: 'plan', blockers: [{ kind, message }], pauseUs: 0, totalUs: 0, journalId: '' };
}
