/**
 * Blockers: one specific, typed reason a migration or swap cannot proceed now.
 *
 * Every blocker is plain data (it crosses worker boundaries and lands in the journal as JSON),
 * discriminated on `kind`, and carries a one-line human `message`.
 */

/** A link of a lineage, as `from → to` version numbers (down links have `from > to`). */
export interface LinkRef {
  readonly from: number;
  readonly to: number;
}

interface BlockerBase {
  readonly message: string;
}

/** Every kind of blocker hotswap reports. */
export type Blocker =
  // ── planning ─────────────────────────────────────────────────────────────
  | (BlockerBase & { readonly kind: 'unknown-version'; readonly version: number; readonly known: readonly number[] })
  | (BlockerBase & { readonly kind: 'irreversible'; readonly link: LinkRef })
  | (BlockerBase & { readonly kind: 'same-version'; readonly version: number })
  | (BlockerBase & { readonly kind: 'swap-in-progress'; readonly swapId: string; readonly target: number; readonly since: number })
  | (BlockerBase & { readonly kind: 'precondition-failed'; readonly name: string; readonly reason: string })
  | (BlockerBase & { readonly kind: 'component-stopped'; readonly component: string })
  | (BlockerBase & { readonly kind: 'lineage-mismatch'; readonly expected: string; readonly got: string; readonly version: number })
  // ── the migration itself ────────────────────────────────────────────────
  | (BlockerBase & { readonly kind: 'migration-threw'; readonly link: LinkRef; readonly error: { readonly name: string; readonly message: string } })
  | (BlockerBase & { readonly kind: 'migration-mutated-input'; readonly link: LinkRef; readonly error: string })
  | (BlockerBase & { readonly kind: 'migration-bad-output'; readonly link: LinkRef; readonly reason: string })
  | (BlockerBase & { readonly kind: 'undefined-field'; readonly link: LinkRef; readonly path: string })
  // a key the target version's reference shape has (`source`: its declared `shape` or its initial context)
  | (BlockerBase & { readonly kind: 'missing-field'; readonly link: LinkRef; readonly path: string; readonly source: 'shape' | 'initial-context' })
  // what an envelope cannot hold (`found`: the envelope's rule, as a noun phrase: a `Map`, `NaN`, a cycle…)
  | (BlockerBase & { readonly kind: 'unpersistable-value'; readonly link: LinkRef; readonly path: string; readonly found: string })
  | (BlockerBase & { readonly kind: 'schema-issue'; readonly version: number; readonly path: string; readonly issue: string })
  | (BlockerBase & { readonly kind: 'unmapped-state'; readonly version: number; readonly state: string; readonly where: 'value' | 'history' })
  // state values XState would complete or accept although no actor can be in them (path '' is the root)
  | (BlockerBase & { readonly kind: 'incomplete-state-value'; readonly version: number; readonly path: string; readonly initial: readonly string[] })
  | (BlockerBase & { readonly kind: 'contradictory-state-value'; readonly version: number; readonly path: string; readonly states: readonly string[] })
  | (BlockerBase & { readonly kind: 'malformed-state-value'; readonly version: number; readonly path: string; readonly got: string })
  | (BlockerBase & { readonly kind: 'unresolvable-child'; readonly version: number; readonly child: string; readonly src: string })
  | (BlockerBase & {
      readonly kind: 'orphaned-child';
      readonly version: number;
      readonly child: string;
      /** The child's `src`, as persisted. */
      readonly src: string;
      /** The state it is carried into: the active state that invokes another `src` under its id, else the migrated value's leaves. */
      readonly state: string;
      /** The `src` that `state` invokes under the child's id instead; `null` when it invokes none. */
      readonly invokes: string | null;
      /** The target's states that do invoke this `src` under this id (none active). */
      readonly states: readonly string[];
    })
  | (BlockerBase & { readonly kind: 'unrestorable-ref'; readonly version: number; readonly path: string; readonly id: string })
  | (BlockerBase & { readonly kind: 'unaccepted-event'; readonly version: number; readonly event: string; readonly count: number })
  | (BlockerBase & { readonly kind: 'invariant-violation'; readonly version: number; readonly path: string; readonly violation: string })
  | (BlockerBase & { readonly kind: 'not-active'; readonly status: string })
  | (BlockerBase & { readonly kind: 'unsafe-key'; readonly path: string; readonly key: string })
  // ── quiescence and the effect ledger ────────────────────────────────────
  | (BlockerBase & { readonly kind: 'not-at-swap-point'; readonly state: string; readonly requiredTag: string })
  | (BlockerBase & { readonly kind: 'quiesce-timeout'; readonly waitedMs: number })
  | (BlockerBase & { readonly kind: 'pending-delay'; readonly id: string; readonly event: string; readonly state: string; readonly remainingMs: number; readonly reason: string })
  | (BlockerBase & { readonly kind: 'unarmed-delay'; readonly version: number; readonly state: string; readonly delay: string })
  | (BlockerBase & { readonly kind: 'pending-timer'; readonly name: string; readonly handler: string; readonly remainingMs: number; readonly reason: string })
  | (BlockerBase & { readonly kind: 'in-flight'; readonly id: string; readonly src: string; readonly ageMs: number; readonly policy: string })
  | (BlockerBase & { readonly kind: 'lease-outstanding'; readonly handle: string; readonly holder: string; readonly heldMs: number; readonly policy: string })
  | (BlockerBase & { readonly kind: 'unpersistable-child'; readonly child: string; readonly reason: string })
  // ── install ─────────────────────────────────────────────────────────────
  | (BlockerBase & { readonly kind: 'install-failed'; readonly version: number; readonly error: { readonly name: string; readonly message: string } })
  | (BlockerBase & { readonly kind: 'aborted'; readonly reason: string })
  /** A rehearsal's shadow replay: the new version, fed the recorded events, stopped matching the old one (src/swap/rehearse.ts). */
  | (BlockerBase & { readonly kind: 'replay-divergence'; readonly index: number; readonly event: string; readonly old: string; readonly new: string })
  // ── worker-hosted components (hotswap/worker) ─────────────────────────
  | (BlockerBase & { readonly kind: 'cross-isolate'; readonly what: string; readonly reason: string })
  | (BlockerBase & { readonly kind: 'candidate-failed'; readonly module: string; readonly phase: 'load' | 'install'; readonly error: { readonly name: string; readonly message: string } })
  | (BlockerBase & { readonly kind: 'worker-crashed'; readonly component: string; readonly role: 'old' | 'candidate'; readonly error: { readonly name: string; readonly message: string } });

/** The `kind` of a {@link Blocker}. */
export type BlockerKind = Blocker['kind'];

/** The blocker of one kind. */
export type BlockerOf<K extends BlockerKind> = Extract<Blocker, { kind: K }>;

/** A blocker's data without its message; {@link blocker} writes the message. */
export type BlockerInput<K extends BlockerKind> = Omit<BlockerOf<K>, 'message' | 'kind'>;
