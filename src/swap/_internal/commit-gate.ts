/**
 * The commit gate of a `swapAll`: how thousands of parts commit all or none without one long block.
 * The decision is one synchronous step (a flag every part's old actor system reads through its relay
 * gate); the per-part resume work — delivering held events, retiring the old actor — runs in slices
 * after it. From its install to its resume or rollback a part is gated:
 * - its **old** actor system lets events through until the decision, noting that it received one (the
 *   part then counts as moved, and the decision refuses); once committed it drops them — what its
 *   retire would have cancelled or stopped anyway (delays carried or cancelled by the drain, promises
 *   adopted or aborted, whose late results the ledger records);
 * - its **new** actor system holds what it receives (its own delays, adopted promises settling), relayed
 *   in order after its held events, so nothing reaches the new version before the events accepted first;
 * - its runtime timers that fall due wait until the hold ends, and fire by the version then running;
 * - events sent to it are held in its mailbox, as during any swap, and delivered to the version the
 *   decision chose.
 * So a check made in an earlier slice stays valid: nothing can move a part without passing a gate that
 * records it. Pinned by test/swap/swap-all-commit.test.ts and test/xstate/relay-gate.test.ts.
 */
import { discardRelay, gateRelay, openRelay, type RelayGate, type RelayVerdict } from '../../xstate/adapter.ts';
import type { SwapTransaction } from '../transaction.ts';

/** What a part's new actor system does until its resume: hold everything. */
const HOLD: RelayGate = { admit: () => 'hold', sealed: false };

/** A part's old actor system: watched until the decision, sealed once committed. */
class OldSide implements RelayGate {
  readonly #gate: CommitGate;
  readonly #tx: SwapTransaction;

  constructor(gate: CommitGate, tx: SwapTransaction) {
    this.#gate = gate;
    this.#tx = tx;
  }

  admit(): RelayVerdict {
    if (this.#gate.committed) return 'drop';
    this.#gate.moved.add(this.#tx);
    return 'pass';
  }

  get sealed(): boolean {
    return this.#gate.committed;
  }
}

/** One `swapAll`'s commit decision and the gates of its parts. */
export class CommitGate {
  #committed = false;
  /** Parts whose old actor received an event after their install, before the decision. */
  readonly moved = new Set<SwapTransaction>();

  get committed(): boolean {
    return this.#committed;
  }

  /** Gates a part that just installed. Returns true (a step of the install slice). */
  arm(tx: SwapTransaction): true {
    gateRelay(tx.core.actor, new OldSide(this, tx));
    gateRelay(tx.installed!, HOLD);
    tx.core.holdTimers();
    return true;
  }

  /** A part's mailbox size when it was checked, in the order the parts were checked. */
  readonly #checked: number[] = [];

  /** Checks a part again, in a slice before the decision (see {@link SwapTransaction.unmoved}). */
  check(tx: SwapTransaction): boolean {
    this.#checked.push(tx.core.mailbox.size);
    return tx.unmoved();
  }

  /**
   * The decision, in one cheap synchronous step: every part of `txs` passed {@link CommitGate.check}
   * in an earlier slice, in this order; a part whose old actor received something since, or whose
   * mailbox grew since (the new held events are checked now), refuses. True: committed.
   */
  decide(txs: readonly SwapTransaction[], aborted: boolean): boolean {
    let ok = true;
    if (aborted) {
      for (const tx of txs) ok = tx.unmoved() && ok;
      return false;
    }
    for (const tx of this.moved) ok = tx.unmoved(true) && ok;
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      if (tx.core.mailbox.size !== this.#checked[i] && !this.moved.has(tx)) ok = tx.unmoved() && ok;
    }
    this.#committed = ok;
    return ok;
  }

  /**
   * After a commit: the part resumes on its new version — its held events first, then what its new
   * actor system held meanwhile — and its old actor is retired. A throw is the part's alone (the
   * decision stands for the others): it crashes, reported.
   */
  resume(tx: SwapTransaction): true {
    const old = tx.core.actor;
    const fresh = tx.installed!;
    const relayHeld = openRelay(fresh);
    try {
      tx.resume();
      relayHeld();
    } catch (error) {
      discardRelay(fresh);
      discardRelay(old);
      tx.crashed(error);
    } finally {
      discardRelay(old);
    }
    return true;
  }

  /** After a refusal: the part's old version resumes, untouched, and gets its held events (G2). */
  rollback(tx: SwapTransaction): true {
    this.disarm(tx);
    tx.rollback();
    return true;
  }

  /** Takes a part's gates down (before its rollback): what its new actor system held is forgotten. */
  disarm(tx: SwapTransaction): void {
    discardRelay(tx.core.actor);
    const fresh = tx.installed;
    if (fresh !== undefined) discardRelay(fresh);
  }
}
