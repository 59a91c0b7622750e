/**
 * The install step (`SwapPhases[5]`): creates the new actor from the migrated snapshot, re-arms the
 * carried delays from the new definition, offers adopted promises to its children, and starts it —
 * not yet the one events go to (that is the commit, in resume). XState reports restore and start
 * failures as `status: 'error'`, not a throw: either refuses here, with adoptions handed back. The
 * swap and `runtime.start` both run it. Pinned by test/swap/install.test.ts and test/runtime/start.test.ts.
 */
import type { AnyActorRef } from 'xstate';
import type { Blocker } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { describeError } from '../errors.ts';
import type { InFlightEntry } from '../ledger/effect-ledger.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import { restorable } from '../xstate/adapter.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import type { Rearm } from './_internal/delays.ts';

export interface InstallInput {
  readonly target: AnyVersion;
  /** The migrated (frozen) snapshot, or none for a fresh start. */
  readonly snapshot: PersistedSnapshot | undefined;
  readonly rearm: readonly Rearm[];
  /** Promises the new version's children take over (from drain). */
  readonly adopt?: readonly Readonly<InFlightEntry>[];
  /** Machine input for a fresh start. */
  readonly input?: unknown;
}

export type InstallResult =
  | { readonly ok: true; readonly actor: AnyActorRef; /** Hands adopted promises back (a later refusal). */ readonly undo: () => void }
  | { readonly ok: false; readonly blockers: readonly Blocker[] };

/** Creates and starts the new version's actor, or refuses with `install-failed`. */
export function install(core: ComponentCore, { target, snapshot, rearm, adopt = [], input }: InstallInput): InstallResult {
  const undo = core.effects.offerAdoptions(adopt);
  // XState writes revived actor refs into the (frozen) objects holding their markers: thaw those paths
  const launched = core.launch(target, snapshot === undefined ? undefined : restorable(snapshot), rearm, input);
  if (launched.ok) return { ok: true, actor: launched.actor, undo };
  undo();
  return { ok: false, blockers: [blocker('install-failed', { version: target.version, error: describeError(launched.error) })] };
}
