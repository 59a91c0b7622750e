/**
 * hotswap's `node:diagnostics_channel` channels: what APM tools, loggers and the inspector subscribe
 * to, without wrapping anything. A tracing channel per swap (`hotswap:swap`, start → report), one for
 * `swapAll` (`hotswap:swap-all`), a plain channel for each finished phase (`hotswap:swap:phase`) and a
 * tracing channel per plugin load (`hotswap:plugin:load`). Each publisher checks `hasSubscribers`
 * first, so nothing is built or published when nobody listens (bench/diagnostics.ts measures it).
 * Pinned by test/diagnostics/channels.test.ts.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import type { Blocker } from '../blockers/blocker.ts';

// This module sits below the swap layer, which imports it (test/layering.test.ts): it imports nothing
// of swap/, types included, so the report and phase types are parameters — `SwapTrace<SwapReport>`,
// `SwapPhaseMessage<SwapPhase>` — that default to what a subscriber can rely on without them.

/** The channel names, as `diagnostics_channel.subscribe` / `tracingChannel` take them. */
export const ChannelNames = {
  /** Tracing channel: `tracing:hotswap:swap:start` … `:asyncEnd` (context {@link SwapTrace}). */
  swap: 'hotswap:swap',
  /** Tracing channel: one `swapAll` (context {@link SwapAllTrace}); its parts also trace as `hotswap:swap:phase`. */
  swapAll: 'hotswap:swap-all',
  /** Plain channel: one message per finished phase of any swap ({@link SwapPhaseMessage}). */
  phase: 'hotswap:swap:phase',
  /** Tracing channel: one plugin file load (context {@link PluginLoadTrace}). */
  pluginLoad: 'hotswap:plugin:load',
} as const;

/**
 * The context object of the `hotswap:swap` tracing channel: the same object at `start`, `end`,
 * `asyncStart` and `asyncEnd`. At `asyncStart`/`asyncEnd` it carries `result`, the swap report
 * (committed or refused: refusal is data, G7); `error` only for a throw that is no refusal (misuse
 * is refused before a swap starts and is not traced). Subscribe as `SwapTrace<SwapReport>`.
 */
export interface SwapTrace<TReport = unknown> {
  /** The swap id, as in the report and its journal entry. */
  readonly swapId: string;
  /** The lineage (component) name. */
  readonly component: string;
  /** The live instance id (`runtime.start`'s `id`). */
  readonly instance: string;
  readonly from: number;
  readonly to: number;
  /** `revert` for `component.revert()`, `swap` otherwise. */
  readonly kind: 'swap' | 'revert';
  /** The report (a `SwapReport`), set when the swap finishes. */
  result?: TReport;
  error?: unknown;
}

/** The context object of the `hotswap:swap-all` tracing channel (`SwapAllTrace<SwapAllReport>`). */
export interface SwapAllTrace<TReport = unknown> {
  readonly parts: readonly { readonly swapId: string; readonly component: string; readonly instance: string; readonly from: number; readonly to: number }[];
  result?: TReport;
  error?: unknown;
}

/** A message of `hotswap:swap:phase`: one phase of one swap attempt has finished (`SwapPhaseMessage<SwapPhase>`). */
export interface SwapPhaseMessage<TPhase extends string = string> {
  readonly swapId: string;
  readonly component: string;
  readonly instance: string;
  /** One of `SwapPhases`. */
  readonly phase: TPhase;
  /**
   * Microseconds the phase took (wall time, as the report's `timings`); 0 for a phase that refused
   * before it timed itself (an invariant refused while migrate ran, an abort seen between phases).
   */
  readonly durationUs: number;
  /** `refused` when this phase refused the swap (then `blockers` says why), `passed` otherwise. */
  readonly outcome: 'passed' | 'refused';
  readonly blockers: readonly Blocker[];
}

/**
 * The context object of the `hotswap:plugin:load` tracing channel. `result` (at `asyncEnd`) is the
 * typed load result: `{ ok: true, file, hash, plugin }` or `{ ok: false, refusal }`.
 */
export interface PluginLoadTrace {
  /** The file as asked for. */
  readonly file: string;
  result?: unknown;
  error?: unknown;
}

const swapTracing = tracingChannel<unknown, SwapTrace>(ChannelNames.swap);
const swapAllTracing = tracingChannel<unknown, SwapAllTrace>(ChannelNames.swapAll);
const phaseChannel = channel(ChannelNames.phase);
const pluginTracing = tracingChannel<unknown, PluginLoadTrace>(ChannelNames.pluginLoad);

/** What the swap pipeline hands over: a transaction's public face, read only when someone listens. */
export interface TracedSwap {
  readonly id: string;
  readonly core: { readonly name: string; readonly id: string };
  readonly from: number;
  readonly targetNumber: number;
  readonly timings: { readonly [phase: string]: number | undefined };
  readonly phase: string | undefined;
  readonly blockers: readonly Blocker[];
}

/**
 * Runs one swap under the `hotswap:swap` tracing channel (start, end, asyncStart/asyncEnd with the
 * report), with the subscribers' async-context stores bound for its whole run. Without subscribers,
 * `run()` is called and returned as is.
 */
export function traceSwap<R>(tx: TracedSwap, kind: 'swap' | 'revert', run: () => Promise<R>): Promise<R> {
  if (!swapTracing.hasSubscribers) return run();
  const context: SwapTrace = { swapId: tx.id, component: tx.core.name, instance: tx.core.id, from: tx.from, to: tx.targetNumber, kind };
  return swapTracing.tracePromise(run, context);
}

/** Runs one `swapAll` under the `hotswap:swap-all` tracing channel (see {@link traceSwap}). */
export function traceSwapAll<R>(txs: readonly TracedSwap[], run: () => Promise<R>): Promise<R> {
  if (!swapAllTracing.hasSubscribers) return run();
  const parts = txs.map((tx) => ({ swapId: tx.id, component: tx.core.name, instance: tx.core.id, from: tx.from, to: tx.targetNumber }));
  return swapAllTracing.tracePromise(run, { parts });
}

/** Runs one plugin load under the `hotswap:plugin:load` tracing channel (see {@link traceSwap}). */
export function tracePluginLoad<T>(file: string, run: () => Promise<T>): Promise<T> {
  if (!pluginTracing.hasSubscribers) return run();
  return pluginTracing.tracePromise(run, { file });
}

const NO_FEED = (): void => undefined;

/**
 * A feed of `tx`'s phases to `hotswap:swap:phase`: each call publishes the phases that finished since
 * the last one, in pipeline order (a phase is finished once its timing is in, so call it after a
 * step, not while the step may still add time). A shared no-op when nobody listens at the start.
 */
export function phaseFeed(tx: TracedSwap): () => void {
  if (!phaseChannel.hasSubscribers) return NO_FEED;
  const published = new Set<string>();
  const publish = (phase: string, durationUs: number): void => {
    published.add(phase);
    const refused = tx.phase === phase && tx.blockers.length > 0;
    const message: SwapPhaseMessage = {
      swapId: tx.id,
      component: tx.core.name,
      instance: tx.core.id,
      phase,
      durationUs,
      outcome: refused ? 'refused' : 'passed',
      blockers: refused ? [...tx.blockers] : [],
    };
    phaseChannel.publish(message);
  };
  return () => {
    if (!phaseChannel.hasSubscribers) return;
    // timings are set as phases finish, so their keys are in pipeline order (no import of the swap's values:
    // the swap layer imports this module, not the other way round)
    for (const phase of Object.keys(tx.timings)) {
      const durationUs = tx.timings[phase];
      if (durationUs !== undefined && !published.has(phase)) publish(phase, durationUs);
    }
    // a phase can refuse before it timed itself (an invariant refused inside migrate's run, an abort
    // seen between phases): it is still the refusing phase, with no time of its own
    if (tx.phase !== undefined && tx.blockers.length > 0 && !published.has(tx.phase)) publish(tx.phase, 0);
  };
}
