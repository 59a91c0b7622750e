/**
 * What the main thread mirrors of a worker-hosted component: its latest snapshot (plain data), its
 * last envelope checkpoint (what a restart resumes from), and the callbacks that observe them —
 * snapshot observers and `onEvent` listeners, whose exceptions go to `onError`, never into the
 * bookkeeping. A checkpoint arrives as the state of an envelope and is hashed into one only when
 * read: the main thread pays nothing for checkpoints no restart uses. Split out of host.ts, which feeds it from the worker's messages; pinned by
 * test/worker/api.test.ts and crash.test.ts through `subscribe`, `onEvent` and `lastCheckpoint`.
 */
import { createEnvelope, type Envelope } from '../../store/envelope.ts';
import type { WorkerEvent } from '../types.ts';
import { Listeners } from './listeners.ts';
import type { CheckpointState, HostedSnapshot } from './protocol.ts';

export class Mirror {
  #snapshot: HostedSnapshot | undefined;
  #checkpoint: Envelope | CheckpointState | undefined;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #observers = new Listeners<HostedSnapshot>((e) => this.report(e));
  readonly #listeners = new Listeners<WorkerEvent>((e) => this.report(e));

  constructor(onError: ((error: unknown) => void) | undefined) {
    this.#onError = onError;
  }

  /** The latest snapshot (set before the component is handed out, so always there for users). */
  get snapshot(): HostedSnapshot {
    return this.#snapshot!;
  }
  /**
   * The last checkpoint as an envelope, made (copied and hashed) on first read when it came as its
   * state. The worker checked that state as `createEnvelope` does, so this does not fail; if it ever
   * did, the error goes to `onError` and there is no checkpoint to restart from (a fresh start).
   */
  get checkpoint(): Envelope | undefined {
    const c = this.#checkpoint;
    if (c === undefined || 'hash' in c) return c;
    try {
      return (this.#checkpoint = createEnvelope(c));
    } catch (error) {
      this.#checkpoint = undefined;
      this.report(error);
      return undefined;
    }
  }

  setSnapshot(s: HostedSnapshot): void {
    this.#snapshot = s;
    this.#observers.emit(s);
  }
  /** `envelope`, or the state of one (made into an envelope only when read). */
  setCheckpoint(envelope: Envelope | CheckpointState): void {
    this.#checkpoint = envelope;
  }

  observe(fn: (s: HostedSnapshot) => void): { unsubscribe(): void } {
    return this.#observers.add(fn);
  }
  listen(fn: (e: WorkerEvent) => void): { unsubscribe(): void } {
    return this.#listeners.add(fn);
  }
  emit(e: WorkerEvent): void {
    this.#listeners.emit(e);
  }

  /** A user callback threw (or a journal failed): `onError`, or a rethrow on a later tick. */
  report(error: unknown): void {
    if (this.#onError !== undefined) this.#onError(error);
    else
      setTimeout(() => {
        throw error;
      });
  }
}
