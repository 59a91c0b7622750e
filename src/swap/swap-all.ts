/**
 * `swapAll`: several components swapped as one step — quiesced in parallel under one deadline, then
 * all commit or none does, in slices that let the event loop run (the commit decided once, each part
 * resumed after it: src/swap/_internal/commit-gate.ts), every part pre-copied before any part pauses.
 * Pinned by test/swap/swap-all-commit.test.ts, test/swap/swap-all-precopy.test.ts, test/swap/coordinator.test.ts (`describe('swapAll')`) and
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
import { CommitGate } from './_internal/commit-gate.ts';
import { abortReason } from './_internal/preconditions.ts';
import { Stretch, turn } from './_internal/stretch.ts';

/** One component's part in a `swapAll`, its live component resolved to its core by the runtime. */
export interface SwapAllPart {
  readonly core: ComponentCore;
  readonly target: number | AnyVersion;
  /** Per-component options; `deadlineMs` and `signal` come from the `swapAll` call. */
  readonly options?: Omit<SwapOptions, 'deadlineMs' | 'signal'> | undefined;
}

/** The aggregated report of a `swapAll`: committed only when every part committed. */
export interface SwapAllReport {
  /** The discriminant: `true` iff every part committed. */
  readonly ok: boolean;
  /** Descriptive: `'committed'` when `ok`, else `'refused'`. Branch on `ok`. */
  readonly outcome: 'committed' | 'refused';
  readonly reports: readonly SwapReport[];
  /** The longest pause among the parts, in µs. */
  readonly pauseUs: number;
  /**
   * The longest synchronous stretch the whole `swapAll` ran (µs): it lets the event loop run every
   * {@link SWAP_ALL_SLICE_MS} or so, the commit and the rollback included.
   */
  readonly blockUs: number;
  readonly totalUs: number;
}

/** How far a `swapAll` has got: `done` of `total` parts through `stage` (reported after each slice). */
export interface SwapAllProgress {
  /** `check`: every part checked again before the decision; then `commit` or, refused, `rollback`. */
  readonly stage: 'plan' | 'quiesce' | 'install' | 'check' | 'commit' | 'rollback' | 'journal';
  readonly done: number;
  readonly total: number;
}

/** The options of a `swapAll` call. */
export interface SwapAllOptions {
  /** One deadline for every part. */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Called as the swap makes its way through the parts (errors it throws are ignored). */
  readonly onProgress?: (progress: SwapAllProgress) => void;
}

/**
 * How long a `swapAll` works before it lets the event loop run (ms). Between install and resume the
 * parts stay paused (events held) behind their gates (src/swap/_internal/commit-gate.ts): every part is
 * checked again in slices ({@link SwapTransaction.unmoved}), the commit is decided in one cheap step,
 * and the parts resume — or roll back — in slices after it. 2 ms (was 4): what blocks a server's event
 * loop longest during a 10,000-part swap is a young-generation collection (10–20 ms) landing in a slice,
 * and the slice adds to it; 2 ms slices cost ~5 % more turns of the loop (bench/big-state.ts `mass`).
 */
export const SWAP_ALL_SLICE_MS = 2;

/**
 * Quiesces every component in parallel under one deadline (not N × deadline, as a serial relup
 * would), then migrates, verifies and installs them all; any refusal rolls every one back.
 */
export async function runSwapAll(parts: readonly SwapAllPart[], options: SwapAllOptions, journal: SwapJournal): Promise<SwapAllReport> {
  const call = checkSwapAllCall(options);
  if (call !== undefined) throw call;
  const stretch = new Stretch();
  // every part checked before anything starts, in slices too: 10,000 parts' checks are ~5 ms
  const seen = new Set<string>();
  let misuse: HotswapError | undefined;
  await slices(parts.length, (i) => (misuse = checkPart(parts[i]!, i, seen)) === undefined, stretch);
  if (misuse !== undefined) throw misuse;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  // One part refused ends the others' waits at once: nobody stays paused until the deadline for nothing.
  const together = new AbortController();
  // One signal for every part: the caller's, and any part's component stopping (no AbortSignal.any per part).
  const cut = (reason: unknown): void => {
    if (!together.signal.aborted) together.abort(reason);
  };
  const onCallerAbort = (): void => cut(options.signal!.reason);
  if (options.signal?.aborted === true) cut(options.signal.reason);
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  // One listener for every part's component stopping (the signal it fires on names the reason), and
  // one options object for every part with none of its own: 10,000 parts keep no closure or copy each.
  const stopped = (event: Event): void => cut((event.target as AbortSignal).reason ?? 'a component stopped');
  const shared: SwapOptions = { deadlineMs };
  let listening = 0;
  try {
    const txs: SwapTransaction[] = [];
    // the same transaction as `swap`, so the same plan checks (a version of another lineage is refused)
    await slices(parts.length, (i) => {
      const { core, target, options: own } = parts[i]!;
      if (core.stopSignal.aborted) cut(core.stopSignal.reason ?? `component '${core.id}' stopped`);
      core.stopSignal.addEventListener('abort', stopped, { once: true });
      listening = i + 1;
      txs.push(new SwapTransaction(core, { target, options: own === undefined ? shared : { ...own, deadlineMs }, journal, groupSignal: together.signal }));
    }, stretch);
    const refusedAll = (ok: boolean, tx: SwapTransaction): boolean => {
      if (!ok) cut(`swapAll: ${tx.core.id} refused, so every component keeps its version`);
      return ok;
    };
    return await traceSwapAll(txs, () => lockstep(txs, { refusedAll, onProgress: options.onProgress, stretch, signal: together.signal }));
  } finally {
    options.signal?.removeEventListener('abort', onCallerAbort);
    // in slices too: taking 10,000 listeners off their signals is ~10 ms of EventTarget work
    await slices(listening, (i) => parts[i]!.core.stopSignal.removeEventListener('abort', stopped), stretch);
  }
}

/**
 * Calls `step(0 … n−1)`, letting the event loop run every {@link SWAP_ALL_SLICE_MS} or so; stops at
 * the first step that returns `false`.
 */
async function slices(n: number, step: (i: number) => unknown, stretch: Stretch): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (step(i) === false) return;
    if (performance.now() - stretch.since > SWAP_ALL_SLICE_MS && i + 1 < n) await stretch.wait(turn());
  }
}

/**
 * Runs `step` over `txs` in slices of about {@link SWAP_ALL_SLICE_MS}, letting the event loop run
 * between slices; stops at the first `false`. Reports progress after each slice.
 */
async function sliced(
  txs: readonly SwapTransaction[],
  stage: SwapAllProgress['stage'],
  step: (tx: SwapTransaction) => boolean,
  progress: (p: SwapAllProgress) => void,
  stretch: Stretch,
): Promise<boolean> {
  for (let i = 0; i < txs.length; i++) {
    if (!step(txs[i]!)) return false;
    if (performance.now() - stretch.since > SWAP_ALL_SLICE_MS && i + 1 < txs.length) {
      progress({ stage, done: i + 1, total: txs.length });
      await stretch.wait(turn());
    }
  }
  progress({ stage, done: txs.length, total: txs.length });
  return true;
}

/**
 * Runs a step that may have to wait (preconditions, quiesce) on every part, in slices: synchronous
 * for most parts, the others waited for together (under the one deadline). True when all passed.
 */
async function settled(
  txs: readonly SwapTransaction[],
  step: (tx: SwapTransaction) => boolean | Promise<boolean>,
  refusedAll: (ok: boolean, tx: SwapTransaction) => boolean,
  stretch: Stretch,
): Promise<boolean> {
  let ok = true;
  const waits: Promise<boolean>[] = [];
  await slices(txs.length, (i) => {
    const tx = txs[i]!;
    const r = step(tx);
    if (r instanceof Promise) waits.push(r.then((passed) => refusedAll(passed, tx)));
    else if (!refusedAll(r, tx)) ok = false;
  }, stretch);
  if (waits.length > 0) ok = (await stretch.wait(Promise.all(waits))).every(Boolean) && ok;
  return ok;
}

/** Every part through the pipeline together: all commit or none does. */
async function lockstep(
  txs: readonly SwapTransaction[],
  { refusedAll, onProgress, stretch, signal }: {
    readonly refusedAll: (ok: boolean, tx: SwapTransaction) => boolean;
    readonly onProgress: SwapAllOptions['onProgress'];
    readonly stretch: Stretch;
    /** Aborted by the caller, a part's component stopping, or a part refused. */
    readonly signal: AbortSignal;
  },
): Promise<SwapAllReport> {
  const t0 = performance.now();
  const gate = new CommitGate();
  const feeds = txs.map(phaseFeed); // `hotswap:swap:phase`, no-ops when nobody listens
  const phases = (): void => feeds.forEach((feed) => feed());
  const progress = (p: SwapAllProgress): void => {
    try {
      onProgress?.(p);
    } catch {
      // a progress callback does not decide the swap
    }
  };
  const failOthers = (failed: readonly SwapTransaction[]): void => {
    // none refused on its own: the call was aborted (its signal, a component stopping)
    const reason =
      failed.length === 0
        ? `swapAll aborted (${abortReason(signal)}), so every component keeps its version`
        : `swapAll: ${failed.map((tx) => tx.core.id).join(', ')} refused, so every component keeps its version`;
    const own = new Set(failed);
    for (const tx of txs) if (!own.has(tx) && !tx.committed && tx.blockers.length === 0) tx.addBlocker(blocker('aborted', { reason }));
  };

  let ok = false;
  try {
    ok = await sliced(txs, 'plan', (tx) => tx.plan(), progress, stretch);
    if (ok) ok = await settled(txs, (tx) => tx.preconditions(), refusedAll, stretch);
    if (ok) {
      phases();
      // the pre-copy, as `swap` does (src/swap/precopy.ts): before any part pauses, each part's live
      // context is walked into the caches its pause reads; a big one in slices of its own, every part serving meanwhile
      ok = await settled(txs, (tx) => tx.precopy(), refusedAll, stretch);
    }
    if (ok) {
      // each part's pause begins in its slice: holding 10,000 first would be one more unsliced pass
      ok = await settled(
        txs,
        (tx) => {
          tx.hold();
          return tx.quiesce();
        },
        refusedAll,
        stretch,
      );
      progress({ stage: 'quiesce', done: txs.length, total: txs.length });
      // each part's drain → install runs without a break (nothing of its own runs between them), then
      // its gates go up: from here on nothing moves it unnoticed (src/swap/_internal/commit-gate.ts)
      if (ok) ok = await sliced(txs, 'install', (tx) => tx.drain() && tx.migrate() && tx.verify() && tx.install() && gate.arm(tx), progress, stretch);
      // the loop ran between slices: every part is checked again, in slices; then one cheap decision
      if (ok) ok = await sliced(txs, 'check', (tx) => gate.check(tx), progress, stretch);
      if (ok) ok = gate.decide(txs, signal.aborted);
      // after the decision: each part resumes (or rolls back) in slices; the gates keep the others still
      if (ok) await sliced(txs, 'commit', (tx) => gate.resume(tx), progress, stretch);
      else await sliced(txs, 'rollback', (tx) => gate.rollback(tx), progress, stretch);
      ok = txs.every((tx) => tx.committed);
    }
  } catch (error) {
    // refusal is data (G7): whatever threw before the decision, every part resumes its old version
    ok = txs.every((tx) => tx.committed);
    for (const tx of txs) {
      if (!tx.committed) gate.disarm(tx);
      tx.crashed(error);
    }
  }
  if (!ok) failOthers(txs.filter((tx) => tx.blockers.length > 0 && !tx.blockers.every((b) => b.kind === 'aborted')));
  phases(); // quiesce to resume: published after the pause, so no subscriber runs inside it
  const pending: Promise<SwapReport>[] = [];
  await stretch.wait(
    sliced(txs, 'journal', (tx) => pending.push(tx.finish(true)) > 0, progress, stretch),
  );
  const reports = await stretch.wait(Promise.all(pending));
  stretch.waits();
  let pauseUs = 0;
  for (const r of reports) if (r.pauseUs > pauseUs) pauseUs = r.pauseUs;
  return { ok, outcome: ok ? 'committed' : 'refused', reports, pauseUs, blockUs: stretch.longestUs, totalUs: Math.round((performance.now() - t0) * 1000) };
}

/**
 * The misuse checks of `swap`, for every part and the call: the error to reject with, or `undefined`.
 * Also a component listed twice (found with a set: one pass over 10,000 parts).
 */
export function checkSwapAll(requests: readonly SwapAllPart[], options: unknown): HotswapError | undefined {
  const call = checkSwapAllCall(options);
  if (call !== undefined) return call;
  const seen = new Set<string>();
  for (let i = 0; i < requests.length; i++) {
    const misuse = checkPart(requests[i]!, i, seen);
    if (misuse !== undefined) return misuse;
  }
  return undefined;
}

/** The misuse checks of a `swapAll` call's own options. */
function checkSwapAllCall(options: unknown): HotswapError | undefined {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    return new HotswapError('INVALID_ARGUMENT', `Expected \`options\` to be an object or absent, got ${shown(options)}`);
  }
  const timing = checkTiming((options ?? {}) as Record<string, unknown>);
  if (timing !== undefined) return timing;
  const onProgress = (options as { onProgress?: unknown } | undefined)?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    return new HotswapError('INVALID_ARGUMENT', `Expected \`options.onProgress\` to be a function or absent, got ${shown(onProgress)}`);
  }
  return undefined;
}

/** The misuse checks of part `i` (`seen`: the components listed before it). */
function checkPart(r: SwapAllPart, i: number, seen: Set<string>): HotswapError | undefined {
  const misuse = checkTarget(r.target, `requests[${i}].target`) ?? checkSwapOptions(r.options, `requests[${i}].options`, true);
  if (misuse !== undefined) return misuse;
  const id = r.core.id;
  if (seen.has(id)) return new HotswapError('INVALID_ARGUMENT', `Component '${id}' is listed twice in swapAll`, { details: { component: id } });
  seen.add(id);
  return undefined;
}
