/**
 * What one swap transaction is asked to do: the target, the options, where it is journaled, and what
 * the callers that build on a swap (revert, swapAll, probation, rehearsal) add to it.
 */
import type { AnyVersion } from '../lineage/types.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import type { ShadowRing } from './_internal/replay.ts';
import type { SwapOptions } from './options.ts';
import type { SwapJournal } from './report.ts';

/** What one transaction is asked to do. */
export interface SwapRequest {
  /**
   * A version number, or a version object — which must then be that version of the lineage used
   * (checked in plan, whoever asks: `swap`, `swapOrThrow`, `revert` and `swapAll` share this path).
   */
  readonly target: number | AnyVersion;
  readonly options?: SwapOptions | undefined;
  /** Where the attempt is recorded (G8). */
  readonly journal: SwapJournal;
  /** Undoes the component's last committed swap (its history entry comes off on commit). */
  readonly revert?: boolean;
  /**
   * A `swapAll`'s one signal, in place of `options.signal`: it already fires when the caller's signal
   * does or any part's component stops, so no per-part `AbortSignal.any` is built (93 ms per 10,000).
   */
  readonly groupSignal?: AbortSignal;
  /**
   * Called when the swap takes the component's lock (its plan passed): a swap still on probation is
   * made permanent then, not when this one is asked for — a swap refused at plan changes nothing.
   */
  readonly onLocked?: (() => void) | undefined;
  /** Called at the commit point with the old version's state then (a probation keeps it) and the swap's id. */
  readonly onCommit?: ((before: PersistedSnapshot, swapId: string) => void) | undefined;
  /** The component's recorded events, for a rehearsal's shadow replay. */
  readonly shadow?: ShadowRing | undefined;
}
