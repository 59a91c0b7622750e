/**
 * The worker's side of the leases it lends to the main thread (the main thread's side is leases.ts):
 * each borrow is a lease of the ordinary runtime, kept here by the main thread's number; its end (a
 * swap under `revoke`, the component stopping) is posted back; `get` copies the resource across, and
 * refuses one that cannot be cloned. Split out of entry.ts; pinned by test/worker/borrow.test.ts.
 */
import type { Lease, LiveComponent } from '../../runtime/component.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

export class LentLeases {
  /** Leases lent to the main thread, by the main thread's id. */
  readonly #leases = new Map<number, Lease>();
  readonly #post: (m: FromWorker) => void;

  constructor(post: (m: FromWorker) => void) {
    this.#post = post;
  }

  borrow(c: LiveComponent<any>, m: Extract<ToWorker, { t: 'borrow' }>): void {
    const lease = c.borrow(m.handle, m.holder);
    this.#leases.set(m.lease, lease);
    lease.signal.addEventListener('abort', () => this.#leases.delete(m.lease) && this.#post({ t: 'lease-ended', lease: m.lease }), { once: true });
    this.#post({ t: 'reply', id: m.id, ok: true, value: { since: lease.since } });
  }

  /** A lease's resource, as a copy: what cannot be cloned cannot cross to the main thread, and is refused. */
  get(m: Extract<ToWorker, { t: 'lease-get' }>): void {
    const lease = this.#leases.get(m.lease);
    if (lease === undefined) throw Object.assign(new Error(`lease ${m.lease} is not held`), { code: 'LEASE_REVOKED' });
    const value = lease.get();
    try {
      this.#post({ t: 'reply', id: m.id, ok: true, value });
    } catch (error) {
      const reason = `the resource of handle '${lease.handle}' cannot be copied to the main thread (${(error as Error).name}): a worker-hosted component can lend only plain data`;
      this.#post({ t: 'reply', id: m.id, ok: false, error: { name: 'HotswapError', code: 'BORROW_REFUSED', message: reason, details: { handle: lease.handle, reason: 'cross-isolate' } } });
    }
  }

  /** The main thread released lease `id` (taken at once, ahead of queued messages). */
  release(id: number): void {
    const lease = this.#leases.get(id);
    this.#leases.delete(id);
    lease?.release();
  }
}
