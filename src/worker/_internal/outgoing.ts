/**
 * What a worker posts to the main thread, in order: plain-data copies of errors and snapshots, each
 * snapshot's context as its change from the last one posted (delta.ts), and the acknowledgement of
 * processed event batches. Acks are coalesced: the batches that queued up — behind an in-worker swap,
 * or while the worker was busy — are acknowledged once, after the last of them (`setImmediate` runs
 * after the port's waiting messages), because every ack posts the snapshot, and with a context of any
 * size one costs the worker and the main thread more than the batch it acknowledges (the plugin
 * server's limiter: ~35 µs of structured clone per ack on an idle core, ~130 µs under load). Anything else posted takes the due ack out ahead of it,
 * so the main thread sees messages in the order it always did.
 * Split out of entry.ts (the worker's main module); pinned by test/worker/in-worker-swap.test.ts and
 * every test of a worker-hosted component.
 */
import type { MessagePort } from 'node:worker_threads';
import { describeError, isHotswapError } from '../../errors.ts';
import type { Blocker } from '../../blockers/blocker.ts';
import { persistedSnapshotOf } from '../../xstate/adapter.ts';
import { coreOf, type LiveComponent } from '../../runtime/component.ts';
import { DeltaEncoder } from './delta.ts';
import type { FromWorker, HostedSnapshot, WireSnapshot, WorkerError } from './protocol.ts';

/** Structured-clone-safe copy (drops functions and actor refs), for data that came from user code. */
export function plain(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}

/** An error as plain data `{ name, message, code?, details? }`. */
export function errorData(error: unknown): WorkerError {
  const e = describeError(error);
  if (isHotswapError(error)) return { name: e.name, message: e.message, code: error.code, ...(error.details === undefined ? {} : { details: plain(error.details) as Record<string, unknown> }) };
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { ...e, code } : e;
}

/** The blockers a coded error carries, as plain data. */
export function blockersOf(error: unknown): readonly Blocker[] {
  const b = isHotswapError(error) ? error.details?.['blockers'] : undefined;
  return Array.isArray(b) ? (plain(b) as Blocker[]) : [];
}

/** `c`'s snapshot as the main thread mirrors it. */
export function mirror(c: LiveComponent<any>): HostedSnapshot {
  const s = c.getSnapshot() as { status: HostedSnapshot['status']; value: unknown; context: unknown; tags: Set<string>; output?: unknown; error?: unknown };
  const base = { status: s.status, value: s.value, context: s.context, tags: [...s.tags] };
  return { ...base, ...(s.output === undefined ? {} : { output: s.output }), ...(s.error === undefined ? {} : { error: errorData(s.error) }) };
}

/** A context holding actor refs or functions cannot be cloned: mirror its persisted form (refs become markers). */
export function persistedMirror(c: LiveComponent<any>): HostedSnapshot {
  return { ...mirror(c), context: plain(persistedSnapshotOf(coreOf(c).actor).context) };
}

type WithSnapshot = Extract<FromWorker, { snapshot: HostedSnapshot }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A message that carries a snapshot, without it (the snapshot is added as it is posted). */
export type SnapshotMessage = DistributiveOmit<WithSnapshot, 'snapshot'>;

export class Outgoing {
  readonly #port: MessagePort;
  /** Snapshots go as changes to the last one posted. */
  readonly #contexts = new DeltaEncoder();
  /** The ack to post for a component, or `undefined` when it no longer serves. */
  readonly #ackOf: (c: LiveComponent<any>) => Extract<SnapshotMessage, { t: 'ack' }> | undefined;
  /** The component whose ack is due. */
  #due: LiveComponent<any> | undefined;
  readonly #flush = (): void => this.flush();

  constructor(port: MessagePort, ackOf: (c: LiveComponent<any>) => Extract<SnapshotMessage, { t: 'ack' }> | undefined) {
    this.#port = port;
    this.#ackOf = ackOf;
  }

  /** Posts `m`, after the due ack if there is one. */
  post(m: FromWorker | { readonly t: 'checkpoint'; readonly seq: number; readonly state: unknown }): void {
    this.flush();
    this.#port.postMessage(m);
  }

  /** Posts `m` with `c`'s snapshot, its context as what changed since the last one posted. */
  postSnapshot(m: SnapshotMessage, c: LiveComponent<any>): void {
    if (m.t !== 'ack') this.flush();
    const send = (s: HostedSnapshot): void => {
      this.#port.postMessage({ ...m, snapshot: { ...s, context: this.#contexts.encode(s.context) } satisfies WireSnapshot });
      this.#contexts.commit();
    };
    try {
      send(mirror(c));
    } catch (error) {
      if ((error as Error | null)?.name !== 'DataCloneError') throw error;
      send(persistedMirror(c));
    }
  }

  /** `c` processed a batch: its ack goes once the messages waiting now are processed (or before anything else posted). */
  ackSoon(c: LiveComponent<any>): void {
    if (this.#due === undefined) setImmediate(this.#flush);
    this.#due = c;
  }

  /** `c` changed outside a batch (a timer, a settlement, a swap): its ack goes now. */
  ackNow(c: LiveComponent<any>): void {
    this.#due = c;
    this.flush();
  }

  /**
   * Posts the due ack when the worker dies of a throw or `process.exit` (`exit` listeners run, and what
   * they post arrives): the batches it acknowledges were processed, and the crash report must not name
   * them unprocessed.
   */
  flushOnExit(): void {
    process.once('exit', () => {
      try {
        this.flush();
      } catch {
        // the snapshot could not be posted: those events stay named unprocessed, as a crash mid-batch leaves them
      }
    });
  }

  /** Posts the due ack, if any. */
  flush(): void {
    const c = this.#due;
    if (c === undefined) return;
    this.#due = undefined;
    const ack = this.#ackOf(c);
    if (ack !== undefined) this.postSnapshot(ack, c);
  }
}
