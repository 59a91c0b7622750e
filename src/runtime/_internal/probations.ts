/**
 * The probations of one live component: the swap on probation (from its commit until it is permanent
 * or rolled back) and the probations still arming (their swap has not ended: they log the events held
 * meanwhile). Split out of component.ts so `LiveComponent` keeps to its public face; the probation
 * itself is ../probation.ts. Pinned by test/runtime/probation.test.ts and probation-settled.test.ts.
 */
import type { EventObject } from 'xstate';
import type { Journal } from '../../journal/journal.ts';
import type { AnyVersion } from '../../lineage/types.ts';
import type { ComponentCore } from '../../live/_internal/core.ts';
import type { SwapOptions } from '../../swap/options.ts';
import type { SwapReport } from '../../swap/report.ts';
import type { ShadowRing } from '../../swap/_internal/replay.ts';
import { runSwap } from '../../swap/swap.ts';
import type { PersistedSnapshot } from '../../xstate/persisted.ts';
import { Probation, type ProbationStatus } from '../probation.ts';

/** What a swap on probation runs with: the component's core, journal and shadow recording. */
export interface ProbationSwap {
  readonly core: ComponentCore;
  readonly journal: Journal;
  readonly shadow: ShadowRing | undefined;
}

/** The component's probations: at most one armed, any number arming. */
export class Probations {
  /** The swap on probation, from its commit until it is permanent or rolled back. */
  #current: Probation | undefined;
  /** Probations whose swap has not ended yet (they log the events held meanwhile). */
  readonly #arming = new Set<Probation>();

  /** Nothing to log: `send` may take its fast path. */
  get idle(): boolean {
    return this.#current === undefined && this.#arming.size === 0;
  }

  /** The swap on probation while its window lasts. */
  get status(): ProbationStatus | undefined {
    const p = this.#current;
    return p?.pending === true ? p.status : undefined;
  }

  /** An event the component accepted (`running`: it went straight to the actor). */
  accepted(event: EventObject, running: boolean): void {
    this.#current?.accepted(event, running);
    for (const p of this.#arming) p.accepted(event, running);
  }

  /** The swap on probation failed and its rollback is queued: what another swap must wait for first. */
  rollingBack(): Promise<unknown> | undefined {
    return this.#current?.rollingBack;
  }

  /** Another swap took the lock (`SwapRequest.onLocked`): the swap on probation is permanent from now. */
  makePermanent(): void {
    this.#current?.makePermanent();
  }

  /**
   * Runs a swap on probation. Several swaps may be asked for before one takes the lock: each probation
   * logs what it is sent until its swap ends, and only the one whose swap commits becomes current.
   */
  async swap(on: ProbationSwap, target: number | AnyVersion, options: SwapOptions, onLocked: () => void): Promise<SwapReport> {
    const p: Probation = new Probation(on.core, on.journal, options.probation!, () => {
      if (this.#current === p) this.#current = undefined;
    });
    this.#arming.add(p);
    let report: SwapReport | undefined;
    try {
      const onCommit = (before: PersistedSnapshot, swapId: string): void => {
        p.committed(before, swapId);
        this.#arming.delete(p);
        this.#current = p;
      };
      report = await runSwap(on.core, { target, options, journal: on.journal, shadow: on.shadow, onLocked, onCommit });
      return report;
    } finally {
      this.#arming.delete(p);
      p.begin(report);
    }
  }
}
