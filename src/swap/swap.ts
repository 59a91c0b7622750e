/**
 * `runSwap`: one swap attempt start to end, the phases of docs/design.md §2 in order (quiesce begins
 * with a pre-copy of the live context, before events are held: src/swap/precopy.ts), a throw
 * anywhere turned into a refused report (G7). Pinned by every test in test/swap/, and by
 * test/swap/swap-safety.property.test.ts.
 */
import type { ComponentCore } from '../live/_internal/core.ts';
import { phaseFeed, traceSwap } from '../diagnostics/channels.ts';
import { checkSwapOptions, checkTarget } from './options.ts';
import { checkRehearseOptions } from './rehearse.ts';
import type { SwapReport } from './report.ts';
import type { SwapRequest } from './request.ts';
import { SwapTransaction } from './transaction.ts';

/**
 * plan → quiesce → drain → migrate → verify → install → resume, or abort with the old version untouched.
 * Misuse (a target or option of the wrong kind) rejects with `INVALID_ARGUMENT`; refusals resolve (G7).
 */
export async function runSwap(core: ComponentCore, request: SwapRequest): Promise<SwapReport> {
  const misuse = checkTarget(request.target) ?? checkSwapOptions(request.options) ?? checkRehearseOptions(request.options?.rehearse, 'options.rehearse');
  if (misuse !== undefined) throw misuse;
  const tx = new SwapTransaction(core, request);
  return traceSwap(tx, request.revert === true ? 'revert' : 'swap', () => run(tx));
}

async function run(tx: SwapTransaction): Promise<SwapReport> {
  const phases = phaseFeed(tx); // `hotswap:swap:phase`, a no-op when nobody listens
  try {
    // `preconditions` and `quiesce` return a promise only when they must wait
    const checked = tx.plan() && tx.preconditions();
    // `rehearse` (when asked for) runs on a copy after the preconditions, before anything pauses
    if ((checked === true || (checked !== false && (await checked))) && tx.rehearse()) {
      phases();
      // A swap may be asked for from inside the component's own processing (an action, an observer):
      // let that XState step finish first, or its event would be lost and old code run after the commit.
      // From here to the commit nothing yields when nothing must wait.
      if (checked === true) await undefined;
      // the pre-copy walks the live context before the pause (a promise only when it takes slices)
      const copied = tx.precopy();
      if (copied === true || (copied !== false && (await copied))) {
        tx.hold();
        const quiet = tx.quiesce();
        if ((quiet === true || (quiet !== false && (await quiet))) && tx.drain() && tx.migrate() && tx.verify() && tx.install()) tx.resume();
        else tx.rollback();
      }
    }
  } catch (error) {
    tx.crashed(error); // refusal is data (G7): a throw inside the pipeline becomes a refused report
  }
  phases(); // quiesce to resume: published after the pause, so no subscriber runs inside it
  return tx.finish();
}
