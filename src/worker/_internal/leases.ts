/**
 * The main thread's side of the leases a worker-hosted component lends: each lease is a record in
 * the worker's runtime (where the swap policies see it) and a {@link WorkerLease} here, numbered on
 * this side. `release()` is posted at once (the worker takes it ahead of queued events, so a swap
 * waiting for it under `leases: 'wait'` is not stuck behind itself); `get()` asks the worker for the
 * resource, which must be plain data to cross. A lease is revoked here when the worker reports it
 * (a swap under `revoke`), when a drained replacement commits (the old worker and its leases end),
 * when the worker crashes, and at stop. Pinned by test/worker/borrow.test.ts.
 */
import { HotswapError } from '../../errors.ts';
import type { LeaseGranted } from './protocol.ts';

/** A lease of a worker-hosted component: the in-process `Lease`, with `get()` answered by the worker. */
export interface WorkerLease {
  readonly id: number;
  readonly handle: string;
  readonly holder: string;
  /** When the worker lent it, on the worker's clock (ms). */
  readonly since: number;
  /** `held` until released, or revoked (swap under `revoke`, replacement, crash, stop). */
  readonly state: 'held' | 'released' | 'revoked';
  /** Aborted (with a `LEASE_REVOKED` error) when the lease is revoked. */
  readonly signal: AbortSignal;
  /**
   * The resource, computed in the worker from the state after every event sent before the call, and
   * copied here. Rejects with `LEASE_REVOKED` when not held, `BORROW_REFUSED` (`details.reason`
   * `'cross-isolate'`) when the resource is not plain data.
   */
  get(): Promise<unknown>;
  release(): void;
}

/** How the table talks to the serving worker (built by the host). */
export interface LeaseIo {
  /** Asks the worker, after every event sent so far; rejects with its typed error. */
  request(m: { t: 'borrow'; lease: number; handle: string; holder: string } | { t: 'lease-get'; lease: number }): Promise<unknown>;
  /** Posts a release to the serving worker, if there is one. */
  release(lease: number): void;
}

interface Held {
  state: 'held' | 'released' | 'revoked';
  readonly controller: AbortController;
  readonly handle: string;
  readonly holder: string;
}

export class LeaseTable {
  #ids = 0;
  readonly #held = new Map<number, Held>();
  readonly #io: LeaseIo;

  constructor(io: LeaseIo) {
    this.#io = io;
  }

  /** Leases held now. */
  get size(): number {
    return this.#held.size;
  }

  async borrow(handle: string, holder: string, at: { readonly component: string; readonly status: string }): Promise<WorkerLease> {
    const { component, status } = at;
    if (status === 'swapping') throw new HotswapError('BORROW_REFUSED', `'${component}' is swapping; handle '${handle}' cannot be borrowed until it ends`, { details: { handle, component } });
    if (status === 'crashed' || status === 'restarting') {
      throw new HotswapError('COMPONENT_CRASHED', `Component '${component}' is ${status}; handle '${handle}' cannot be borrowed`, { details: { handle, component } });
    }
    const id = ++this.#ids;
    const granted = (await this.#io.request({ t: 'borrow', lease: id, handle, holder })) as LeaseGranted;
    const held: Held = { state: 'held', controller: new AbortController(), handle, holder };
    this.#held.set(id, held);
    return {
      id,
      handle,
      holder,
      since: granted.since,
      get state() {
        return held.state;
      },
      signal: held.controller.signal,
      get: async () => {
        if (held.state !== 'held') throw new HotswapError('LEASE_REVOKED', `Lease of '${handle}' held by '${holder}' is ${held.state}`, { details: { handle, holder } });
        return this.#io.request({ t: 'lease-get', lease: id });
      },
      release: () => {
        if (held.state !== 'held') return;
        held.state = 'released';
        this.#held.delete(id);
        this.#io.release(id);
      },
    };
  }

  /** The worker revoked lease `id`. */
  revoked(id: number, why: string): void {
    const held = this.#held.get(id);
    if (held === undefined) return;
    this.#held.delete(id);
    held.state = 'revoked';
    held.controller.abort(new HotswapError('LEASE_REVOKED', `Lease of '${held.handle}' held by '${held.holder}' was revoked: ${why}`, { details: { handle: held.handle, holder: held.holder } }));
  }

  /** Every lease ends: its worker is gone (replaced, crashed or stopped). */
  revokeAll(why: string): void {
    for (const id of [...this.#held.keys()]) this.revoked(id, why);
  }
}
