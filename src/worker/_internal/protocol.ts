/**
 * The messages between a worker-hosted component's proxy (main thread) and its worker. Everything
 * here is plain data (structured clone): names, version numbers, events, envelopes, blockers, errors.
 * Events and control requests travel on the same port, so a request is processed after every event
 * posted before it (FIFO) — the drained replacement of host.ts relies on it.
 */
import type { EventObject } from 'xstate';
import type { Blocker } from '../../blockers/blocker.ts';
import type { LedgerSnapshot } from '../../ledger/ledger.ts';
import type { Envelope, EnvelopeInput } from '../../store/envelope.ts';
import type { Wire } from './delta.ts';
import type { EffectOutcomes, SwapReport } from '../../swap/report.ts';

/** An error as plain data: a {@link HotswapError}'s `code` and `details` when it was one. */
export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The latest snapshot of a worker-hosted component, mirrored to the main thread as plain data. */
export interface HostedSnapshot {
  readonly status: 'active' | 'done' | 'error' | 'stopped';
  readonly value: unknown;
  readonly context: unknown;
  readonly tags: readonly string[];
  readonly output?: unknown;
  readonly error?: WorkerError;
}

/**
 * A mirrored snapshot as the worker posts it: its context as a {@link Wire} (whole, or changed from
 * the last one); the main thread's end of the port rebuilds the {@link HostedSnapshot} (delta.ts).
 */
export type WireSnapshot = Omit<HostedSnapshot, 'context'> & { readonly context: Wire };

/** Swap policies that can cross a worker boundary: names, not functions. */
export interface PlainPolicies {
  readonly callbacks?: 'restart' | 'block';
  readonly delays?: 'carry' | 'restart' | 'cancel' | 'block';
  readonly timers?: 'carry' | 'cancel' | 'block';
  readonly promises?: 'wait' | 'abort' | 'adopt';
  readonly leases?: 'wait' | 'revoke' | 'block';
}

/** `workerData` of every worker: what to load, and what to do with it. */
export interface WorkerInit {
  /** URL (href) of the module whose export gives the lineage. */
  readonly module: string;
  readonly component: string;
  /**
   * `serve`: start the component (fresh, or from `envelope`) and serve events at once;
   * `candidate`: load and validate only, then wait for `install` (a drained replacement).
   */
  readonly role: 'serve' | 'candidate';
  readonly version?: number;
  /** serve: the envelope to restore from; candidate: unused (it arrives with `install`). */
  readonly envelope?: Envelope;
  readonly input?: unknown;
  /** candidate: the version the running worker is at (its envelope will be migrated from it). */
  readonly from?: number;
  /**
   * candidate: `version` must be the newest version the module carries (what a plugin file's name
   * claims); anything else is refused as `misfit-version` before anything is held.
   */
  readonly exact?: boolean;
  /** The last event sequence number the state reflects (serve from an envelope; 0 when fresh). */
  readonly seq: number;
  readonly capacity: number;
  readonly checkpointMs: number;
  readonly checkpointEvents: number;
}

export type ToWorker =
  | { readonly t: 'events'; readonly seq: number; readonly events: readonly EventObject[] }
  | { readonly t: 'swap'; readonly id: number; readonly target: number; readonly deadlineMs?: number; readonly policies?: PlainPolicies; readonly rehearse?: true }
  /** Rehearsals (src/worker/_internal/rehearse.ts), answered with a `reply`; none pauses the worker. */
  | { readonly t: 'rehearse'; readonly id: number; readonly target: number; readonly policies?: PlainPolicies }
  | { readonly t: 'look'; readonly id: number; readonly policies: PlainPolicies }
  | { readonly t: 'examine'; readonly id: number; readonly envelope: Envelope; readonly version: number }
  | { readonly t: 'query'; readonly id: number; readonly what: 'ledger' | 'persist' | 'snapshot' }
  /** Leases: `lease` is the main thread's id of the lease; `release` is taken at once, not queued behind events. */
  | { readonly t: 'borrow'; readonly id: number; readonly lease: number; readonly handle: string; readonly holder: string }
  | { readonly t: 'lease-get'; readonly id: number; readonly lease: number }
  | { readonly t: 'release'; readonly lease: number }
  | { readonly t: 'handover'; readonly id: number; readonly deadlineMs: number; readonly policies: PlainPolicies }
  | { readonly t: 'resume' }
  /** `probation`: after each batch, check the invariant on the live state and post `violated` (until `permanent`). */
  | { readonly t: 'install'; readonly envelope: Envelope; readonly version: number; readonly seq: number; readonly held: readonly EventObject[]; readonly probation?: boolean }
  | { readonly t: 'permanent' }
  | { readonly t: 'stop' };

export type FromWorker =
  | { readonly t: 'ready'; readonly version: number; readonly snapshot: HostedSnapshot; readonly envelope: Envelope | undefined }
  /** A candidate loaded and validated its module: what it carries, as the module says (not as its file is named). */
  | { readonly t: 'loaded'; readonly version: number; readonly exported: HostedExport }
  | { readonly t: 'failed'; readonly phase: 'load' | 'start'; readonly error: WorkerError; readonly blockers: readonly Blocker[] }
  | { readonly t: 'ack'; readonly seq: number; readonly version: number; readonly snapshot: HostedSnapshot }
  | { readonly t: 'undelivered'; readonly seq: number; readonly event: EventObject; readonly error: WorkerError }
  /**
   * What an envelope at `seq` is made of, checked in the worker as `createEnvelope` would check it; the
   * main thread hashes it into an envelope only when a restart needs it (or `lastCheckpoint` is read).
   * Posted as a {@link Wire} (changes to the last one) and rebuilt by the main end of the port.
   */
  | { readonly t: 'checkpoint'; readonly seq: number; readonly state: CheckpointState }
  | { readonly t: 'report'; readonly id: number; readonly report: SwapReport; readonly snapshot: HostedSnapshot }
  | { readonly t: 'reply'; readonly id: number; readonly ok: true; readonly value: LedgerSnapshot | Envelope | HostedSnapshot | LeaseGranted | unknown }
  | { readonly t: 'reply'; readonly id: number; readonly ok: false; readonly error: WorkerError }
  | { readonly t: 'drained'; readonly id: number; readonly seq: number; readonly envelope: Envelope; readonly effects: EffectOutcomes; readonly quiesceUs: number }
  | { readonly t: 'drain-refused'; readonly id: number; readonly blockers: readonly Blocker[] }
  | { readonly t: 'installed'; readonly version: number; readonly snapshot: HostedSnapshot; readonly envelope: Envelope | undefined; readonly us: number }
  | { readonly t: 'install-refused'; readonly error: WorkerError; readonly blockers: readonly Blocker[] }
  | { readonly t: 'reported'; readonly error: WorkerError }
  /** On probation: the invariant failed on the live state after the batch up to `seq`. */
  | { readonly t: 'violated'; readonly seq: number; readonly violations: readonly string[] }
  | { readonly t: 'stopped'; readonly seq: number; readonly snapshot: HostedSnapshot }
  /** A lease the worker revoked (a swap under `leases: 'revoke'`, or its stop). */
  | { readonly t: 'lease-ended'; readonly lease: number };

/** A checkpoint before its hash: what `createEnvelope` takes, every field given. */
export type CheckpointState = Required<EnvelopeInput>;

/** A message the worker answers with a `reply`, before its request id is set. */
export type Request = ToWorker extends infer M ? (M extends { id: number; t: 'query' | 'borrow' | 'lease-get' | 'rehearse' | 'look' } ? Omit<M, 'id'> : never) : never;

/**
 * The serving worker's answer to `look`: quiesce's look and drain's decision made now, on the running
 * component (nothing paused), with the envelope a handover would hand over — a copy.
 */
export type Looked =
  | { readonly ok: true; readonly waits: readonly Blocker[]; readonly envelope: Envelope; readonly effects: EffectOutcomes; readonly us: { readonly quiesce: number; readonly drain: number } }
  | { readonly ok: false; readonly phase: 'quiesce' | 'drain'; readonly blockers: readonly Blocker[]; readonly waits: readonly Blocker[]; readonly us: { readonly quiesce: number; readonly drain?: number } };

/** A candidate's answer to `examine`: what its install's migrate and verify would say of the envelope. */
export type Examined = { readonly ok: true; readonly us: number } | { readonly ok: false; readonly blockers: readonly Blocker[]; readonly error?: WorkerError; readonly us: number };

/** What a hosted module exports, as found by the worker that imported it. */
export interface HostedExport {
  readonly component: string;
  /** The newest version of its lineage. */
  readonly newest: number;
  /** The default-exported plugin the lineage was extended with, if any. */
  readonly plugin?: { readonly from: number; readonly version: number };
}

/** The worker's answer to `borrow`: when the lease began, on the worker's clock. */
export interface LeaseGranted {
  readonly since: number;
}
