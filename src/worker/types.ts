/**
 * The public types of hotswap/worker: options of `hostInWorker`, the events a worker-hosted component
 * reports, swap targets and options, statuses.
 */
import type { ResourceLimits } from 'node:worker_threads';
import type { EventObject } from 'xstate';
import type { Journal } from '../journal/journal.ts';
import type { Envelope } from '../store/envelope.ts';
import type { SwapOptions } from '../swap/options.ts';
import type { PlainPolicies, WorkerError } from './_internal/protocol.ts';

/** Options of {@link hostInWorker}. */
export interface HostOptions {
  /** The module whose export gives the lineage (see `resolveHostedLineage`): a file URL or a path. */
  readonly module: URL | string;
  /** The component (lineage) name the module must export. */
  readonly component: string;
  /** Instance id. @defaultValue `${component}@worker` */
  readonly id?: string;
  /** The version to run. @defaultValue the module lineage's current version (or the envelope's) */
  readonly version?: number;
  /** Machine input when starting fresh. */
  readonly input?: unknown;
  /** An envelope to restore from (cold restore, migrated to `version`), e.g. from a file store. */
  readonly envelope?: Envelope;
  /** Per-worker V8 limits; exceeding them is a crash (`ERR_WORKER_OUT_OF_MEMORY`), contained. */
  readonly resourceLimits?: ResourceLimits;
  /**
   * After a crash: `manual` (status `crashed` until `restart()`), or `auto` (restart at once from
   * the last checkpoint, at most `maxRestarts` times in a row). @defaultValue 'manual'
   */
  readonly restart?: 'manual' | 'auto';
  /** Consecutive automatic restarts before the component stays `crashed`. @defaultValue 3 */
  readonly maxRestarts?: number;
  /** Events accepted and not yet processed by the worker before `send` refuses. @defaultValue 1024 */
  readonly mailboxCapacity?: number;
  /**
   * How often the worker sends an envelope checkpoint (what a restart resumes from): after a batch when
   * `everyMs` have passed or `everyEvents` were processed since the last one, and `everyMs` after any
   * other change. @defaultValue `{ everyMs: 100, everyEvents: 1000 }`
   */
  readonly checkpoint?: { readonly everyMs?: number; readonly everyEvents?: number };
  /** Where swap attempts are recorded. @defaultValue a new `MemoryJournal` */
  readonly journal?: Journal;
  /** How long a worker may take to load its module and start. @defaultValue 30000 */
  readonly startTimeoutMs?: number;
  /** Receives errors of your observers and listeners. @defaultValue rethrow on a later tick */
  readonly onError?: (error: unknown) => void;
}

/** What a worker-hosted component reports besides snapshots. */
export type WorkerEvent =
  | {
      readonly type: 'crashed';
      readonly component: string;
      readonly version: number;
      readonly error: WorkerError;
      readonly exitCode: number;
      /** Accepted and never processed: reported, not redelivered. */
      readonly unprocessed: readonly EventObject[];
      /** Processed after the last checkpoint: a restart resumes from a state without them. */
      readonly uncheckpointed: readonly EventObject[];
    }
  | { readonly type: 'restarted'; readonly component: string; readonly version: number; readonly from: 'checkpoint' | 'start' }
  | { readonly type: 'restart-failed'; readonly component: string; readonly error: WorkerError }
  | { readonly type: 'undelivered'; readonly component: string; readonly event: EventObject; readonly error: WorkerError }
  | { readonly type: 'error'; readonly component: string; readonly error: WorkerError };

/**
 * A swap target: a version of the running module, or a version (default: newest) of another module.
 * `exact`: `version` must be that module's newest version (what a plugin file's name claims); any
 * other is refused as `candidate-failed` with error code `misfit-version`, before anything is held.
 */
export type WorkerSwapTarget = number | { readonly module: URL | string; readonly version?: number; readonly exact?: boolean };

/** Swap options that can cross to a worker: policies by name; preconditions run on the main thread. */
export type WorkerSwapOptions = Omit<SwapOptions, 'lineage' | 'policies'> & { readonly policies?: PlainPolicies | SwapOptions['policies'] };

/** Status of a worker-hosted component. */
export type WorkerStatus = 'running' | 'swapping' | 'restarting' | 'crashed' | 'stopped';

