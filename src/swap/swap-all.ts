/**
 * `swapAll`: several components swapped as one step — quiesced in parallel under one deadline, then
 * all commit or none does. Pinned by test/swap/coordinator.test.ts (`describe('swapAll')`) and
 * test/swap/swap-all.test.ts.
 */
import { blocker } from '../blockers/messages.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import type { AnyVersion } from '../lineage/types.ts';
import { HotswapError, shown } from '../errors.ts';
import { phaseFeed, traceSwapAll } from '../diagnostics/channels.ts';
import { checkSwapOptions, checkTarget, checkTiming, DEFAULT_DEADLINE_MS, type SwapOptions } from './options.ts';
import type { SwapJournal, SwapReport } from './report.ts';
import { SwapTransaction } from './transaction.ts';

/** One component's part in a `swapAll`, its live component resolved to its core by the runtime. */
export interface SwapAllPart {
  readonly core: ComponentCore;
  readonly target: number | AnyVersion;
  /** Per-component options; `deadlineMs` and `signal` come from the `swapAll` call. */
  readonly options?: Omit<SwapOptions, 'deadlineMs' | 'signal'> | undefined;
}

/** The aggregated report of a `swapAll`: committed only when every part committed. */
export interface SwapAllReport {
  readonly outcome: 'committed' | 'refused';
  readonly reports: readonly SwapReport[];
  /** The longest pause among the parts, in µs. */
  readonly pauseUs: number;
  readonly totalUs: number;
}

/**
 * Quiesces every component in parallel under one deadline (not N × deadline, as a serial relup
 * would), then migrates, verifies and installs them all; any refusal rolls every one back.
 */
export async function runSwapAll(
  parts: readonly SwapAllPart[],
  options: { deadlineMs?: number; signal?: AbortSignal },
  journal: SwapJournal,
): Promise<SwapAllReport> {
  const misuse = checkSwapAll(parts, options);
  if (misuse !== undefined) throw misuse;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  // One part refused ends the others' waits at once: nobody stays paused until the deadline for nothing.
  const together = new AbortController();
  const signal = options.signal === undefined ? together.signal : AbortSignal.any([options.signal, together.signal]);
  // the same transaction as `swap`, so the same plan checks (a version of another lineage is refused)
  const txs = parts.map(({ core, target, options: own }) => new SwapTransaction(core, { target, options: { ...own, deadlineMs, signal }, journal }));
  const refusedAll = (ok: boolean, tx: SwapTransaction): boolean => {
    if (!ok && !together.signal.aborted) together.abort(`swapAll: ${tx.core.id} refused, so every component keeps its version`);
    return ok;
  };
  return traceSwapAll(txs, () => lockstep(txs, together, refusedAll));
}

/** Every part through the pipeline together: all commit or none does. */
async function lockstep(txs: readonly SwapTransaction[], together: AbortController, refusedAll: (ok: boolean, tx: SwapTransaction) => boolean): Promise<SwapAllReport> {
  const t0 = performance.now();
  const feeds = txs.map(phaseFeed); // `hotswap:swap:phase`, no-ops when nobody listens
  const phases = (): void => feeds.forEach((feed) => feed());
  const names = (tx: SwapTransaction) => `${tx.core.id}`;
  const failOthers = (failed: readonly SwapTransaction[]): void => {
    const reason = `swapAll: ${failed.map(names).join(', ')} refused, so every component keeps its version`;
    for (const tx of txs) if (!failed.includes(tx) && tx.blockers.length === 0) tx.blockers.push(blocker('aborted', { reason }));
  };

  let ok = false;
  try {
    ok = txs.map((tx) => tx.plan()).every(Boolean);
    if (ok) ok = (await Promise.all(txs.map(async (tx) => refusedAll(await tx.preconditions(), tx)))).every(Boolean);
    if (ok) {
      phases();
      for (const tx of txs) tx.hold();
      ok = (await Promise.all(txs.map(async (tx) => refusedAll(await tx.quiesce(), tx)))).every(Boolean);
      if (ok) ok = txs.every((tx) => tx.drain() && tx.migrate() && tx.verify());
      if (ok) ok = txs.every((tx) => tx.install());
      if (ok) for (const tx of txs) tx.resume();
      else for (const tx of txs) tx.rollback();
    }
  } catch (error) {
    // refusal is data (G7): whatever threw, every part not yet committed resumes its old version
    ok = txs.every((tx) => tx.committed);
    for (const tx of txs) tx.crashed(error);
  }
  if (!ok) failOthers(txs.filter((tx) => tx.blockers.length > 0 && !tx.blockers.every((b) => b.kind === 'aborted')));
  phases(); // quiesce to resume: published after the pause, so no subscriber runs inside it
  const reports = await Promise.all(txs.map((tx) => tx.finish()));
  return {
    outcome: ok ? 'committed' : 'refused',
    reports,
    pauseUs: Math.max(0, ...reports.map((r) => r.pauseUs)),
    totalUs: Math.round((performance.now() - t0) * 1000),
  };
}

/**
 * The misuse checks of `swap`, for every part and the call: the error to reject with, or `undefined`.
 * Also a component listed twice (found with a set: one pass over 10,000 parts).
 */
export function checkSwapAll(requests: readonly SwapAllPart[], options: unknown): HotswapError | undefined {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    return new HotswapError('INVALID_ARGUMENT', `Expected \`options\` to be an object or absent, got ${shown(options)}`);
  }
  const timing = checkTiming((options ?? {}) as Record<string, unknown>);
  if (timing !== undefined) return timing;
  const seen = new Set<string>();
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!;
    const misuse = checkTarget(r.target, `requests[${i}].target`) ?? checkSwapOptions(r.options, `requests[${i}].options`, true);
    if (misuse !== undefined) return misuse;
    const id = r.core.id;
    if (seen.has(id)) return new HotswapError('INVALID_ARGUMENT', `Component '${id}' is listed twice in swapAll`, { details: { component: id } });
    seen.add(id);
  }
  return undefined;
}
