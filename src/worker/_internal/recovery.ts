/**
 * Crash containment of a worker-hosted component: when its serving worker dies unasked (a throw,
 * `process.exit`, `ERR_WORKER_OUT_OF_MEMORY`), every accepted event is accounted for — processed,
 * or named in the `crashed` event (never processed; processed after the last checkpoint) — its
 * leases are revoked, and it restarts from its last checkpoint, at once (`restart: 'auto'`, at most
 * `maxRestarts` times in a row) or when asked. Split out of host.ts, which gives it a
 * {@link RecoveryHost}; pinned by test/worker/crash.test.ts and crash-mid-swap.test.ts.
 */
import type { HostOptions, WorkerStatus } from '../types.ts';
import type { Crash, ServingStart } from './channel.ts';
import type { LeaseTable } from './leases.ts';
import type { Mirror } from './mirror.ts';
import type { Outbox } from './outbox.ts';
import type { Envelope } from '../../store/envelope.ts';

/** What recovery may read and do of its component (built by `WorkerComponent`). */
export interface RecoveryHost {
  readonly name: string;
  readonly outbox: Outbox;
  readonly mirror: Mirror;
  readonly leases: LeaseTable;
  version(): number;
  status(): WorkerStatus;
  setStatus(status: WorkerStatus): void;
  /** Starts a serving worker from `envelope` (fresh when undefined) and makes it the one events go to. */
  serve(envelope: Envelope | undefined, version: number, seq: number): Promise<ServingStart>;
  /** Terminates the serving worker, if any (a stop raced the restart). */
  discard(): Promise<void>;
}

export class Recovery {
  readonly #host: RecoveryHost;
  readonly #options: Pick<HostOptions, 'restart' | 'maxRestarts'>;
  /** Automatic restarts since the last checkpoint (a checkpoint proves the worker healthy again). */
  #restarts = 0;

  constructor(options: Pick<HostOptions, 'restart' | 'maxRestarts'>, host: RecoveryHost) {
    this.#host = host;
    this.#options = options;
  }

  /** The worker wrote a checkpoint: it serves again. */
  healthy(): void {
    this.#restarts = 0;
  }

  /** The serving worker died unasked (the host has already detached it). */
  async crashed(crash: Crash): Promise<void> {
    const h = this.#host;
    const { unprocessed, uncheckpointed } = h.outbox.lost();
    // every accepted event is now accounted for: processed, or reported here
    h.outbox.clear();
    h.leases.revokeAll('its worker crashed');
    const auto = this.#options.restart === 'auto' && this.#restarts < (this.#options.maxRestarts ?? 3);
    h.setStatus(auto ? 'restarting' : 'crashed');
    h.mirror.emit({ type: 'crashed', component: h.name, version: h.version(), error: crash.error, exitCode: crash.exitCode, unprocessed, uncheckpointed });
    if (auto) await this.restart();
  }

  /** See `WorkerComponent.restart`. */
  async restart(): Promise<boolean> {
    const h = this.#host;
    const status = h.status();
    if (status !== 'crashed' && status !== 'restarting') return status === 'running';
    h.setStatus('restarting');
    h.outbox.hold();
    this.#restarts++;
    const from = h.mirror.checkpoint;
    const r = await h.serve(from, from?.version ?? h.version(), h.outbox.posted);
    if (h.status() === 'stopped') {
      // stop() was called while the worker started: it must not outlive the component
      await h.discard();
      return false;
    }
    if (!r.ok) {
      h.outbox.unhold();
      h.setStatus('crashed');
      h.mirror.emit({ type: 'restart-failed', component: h.name, error: r.error });
      const held = h.outbox.held();
      if (held.length > 0) h.mirror.emit({ type: 'crashed', component: h.name, version: h.version(), error: r.error, exitCode: 1, unprocessed: held, uncheckpointed: [] });
      h.outbox.clear();
      return false;
    }
    h.setStatus('running');
    h.outbox.release();
    h.mirror.emit({ type: 'restarted', component: h.name, version: h.version(), from: from === undefined ? 'start' : 'checkpoint' });
    return true;
  }
}
