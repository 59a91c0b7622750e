/**
 * The quiesce step (`SwapPhases[1]`): with events held, waits — up to the attempt's deadline, or an
 * abort — until nothing keeps the component from being quiescent (src/swap/_internal/quiescence.ts
 * says what does). Synchronous when the component already is quiescent or cannot become so, so the
 * common swap does not give up its turn between pausing and migrating. Input: the held core, the
 * policies, the deadline; result: the leases to revoke at the commit point, or the blockers. Pinned by
 * test/swap/policies.test.ts, test/swap/abort.test.ts and test/swap/nested-children.test.ts.
 */
import type { AnyActorRef } from 'xstate';
import type { Blocker } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import type { LeaseRecord } from '../ledger/effect-ledger.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import { abortReason } from './_internal/preconditions.ts';
import { findBlocking } from './_internal/quiescence.ts';
import type { SwapPolicies } from './options.ts';

export interface QuiesceInput {
  readonly policies: Required<SwapPolicies>;
  readonly target: AnyVersion;
  /** When the attempt began on the component's clock, and when it must be done. */
  readonly startedAt: number;
  readonly deadlineAt: number;
  readonly signal: AbortSignal;
}

export type QuiesceResult =
  | { readonly ok: true; /** Leases to revoke at the commit point (policy `revoke`, at the deadline). */ readonly revoke: readonly Readonly<LeaseRecord>[] }
  | { readonly ok: false; readonly blockers: readonly Blocker[] };

const QUIET: QuiesceResult = { ok: true, revoke: [] };

function notAborted(signal: AbortSignal): QuiesceResult {
  return signal.aborted ? { ok: false, blockers: [blocker('aborted', { reason: abortReason(signal) })] } : QUIET;
}

/** Waits until the component is quiescent, or refuses with what still blocks it. */
export function quiesce(core: ComponentCore, input: QuiesceInput): QuiesceResult | Promise<QuiesceResult> {
  const { hard, soft, watch } = findBlocking(core, input.policies, input.target);
  if (hard.length > 0) return { ok: false, blockers: [...hard, ...soft] };
  if (soft.length > 0) return waitQuiescent(core, input, soft, watch);
  return notAborted(input.signal);
}

async function waitQuiescent(core: ComponentCore, input: QuiesceInput, blocking: Blocker[], watching: readonly AnyActorRef[]): Promise<QuiesceResult> {
  const { policies, target, signal } = input;
  let soft = blocking;
  let watch = watching;
  for (;;) {
    const why = await core.waitForChange(input.deadlineAt, signal, watch);
    if (why === 'aborted') return { ok: false, blockers: [blocker('aborted', { reason: abortReason(signal) }), ...soft] };
    if (why === 'deadline') {
      // Leases alone still block: under `revoke` the swap goes on, and they are revoked at the commit
      // point — a swap refused later (migrate, verify, install) leaves them held (G2).
      if (policies.leases === 'revoke' && soft.every((b) => b.kind === 'lease-outstanding')) {
        const revoke = [...core.effects.leases.values()].filter((l) => !l.transferable);
        return signal.aborted ? notAborted(signal) : { ok: true, revoke };
      }
      const still = findBlocking(core, policies, target);
      return { ok: false, blockers: [blocker('quiesce-timeout', { waitedMs: core.clock.now() - input.startedAt }), ...still.hard, ...still.soft] };
    }
    const now = findBlocking(core, policies, target);
    if (now.hard.length > 0) return { ok: false, blockers: [...now.hard, ...now.soft] };
    if (now.soft.length === 0) return notAborted(signal);
    soft = now.soft;
    watch = now.watch;
  }
}
