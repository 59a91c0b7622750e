/**
 * The effect ledger: everything a live component has started and not finished (docs/design.md §4).
 * All plain data, so it can be printed, compared in tests and written to the journal.
 */

/** An XState delayed event (`after`, delayed `raise`/`sendTo`) pending in the actor system. */
export interface LedgerDelay {
  readonly kind: 'delay';
  readonly id: string;
  readonly event: { readonly type: string };
  /** The state that declares it (for `after` events), as a dotted path. */
  readonly state: string | undefined;
  readonly delayMs: number;
  readonly startedAt: number;
  readonly remainingMs: number;
  readonly fromRoot: boolean;
}

/** A runtime timer started with `startTimer(...)`. */
export interface LedgerTimer {
  readonly kind: 'timer';
  readonly name: string;
  readonly handler: string;
  readonly payload: unknown;
  readonly delayMs: number;
  readonly dueAt: number;
  readonly remainingMs: number;
}

/** An invoked or spawned child actor that has not finished. */
export interface LedgerInFlight {
  readonly kind: 'in-flight';
  /** The child's id; for work of a child machine, its path of ids (`worker/fetch`). */
  readonly id: string;
  /** For work of a child machine: that machine's path (`worker`). Absent for the root's own children. */
  readonly parent?: string;
  readonly src: string;
  readonly logic: 'promise' | 'callback' | 'machine' | 'other';
  readonly startedAt: number | undefined;
  readonly ageMs: number | undefined;
  /** Whether a swap can persist it (string `src` from `setup({ actors })`). */
  readonly persistable: boolean;
}

/** An outstanding borrow of a handle. */
export interface LedgerLease {
  readonly kind: 'lease';
  readonly id: number;
  readonly handle: string;
  readonly holder: string;
  readonly since: number;
  readonly heldMs: number;
  readonly transferable: boolean;
}

/** A late settlement of old work that no version received (G4: dropped and recorded). */
export interface LateResult {
  readonly id: string;
  readonly src: string;
  readonly version: number;
  readonly outcome: 'resolved' | 'rejected';
  readonly at: number;
}

/** A snapshot of a live component's effect ledger. */
export interface LedgerSnapshot {
  readonly at: number;
  readonly delays: readonly LedgerDelay[];
  readonly timers: readonly LedgerTimer[];
  readonly inFlight: readonly LedgerInFlight[];
  readonly leases: readonly LedgerLease[];
  readonly late: readonly LateResult[];
}
