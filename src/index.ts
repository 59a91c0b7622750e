/**
 * hotswap — replace a live, stateful XState v5 component with a new version of its code.
 *
 * The runtime entry: it never loads fast-check. `checkLineages` and its report types are in
 * `hotswap/check`, the property kit in `hotswap/testing` (test/layering.test.ts checks this).
 *
 * @packageDocumentation
 */
export { HotswapError, isHotswapError, describeError, ErrorCodes } from './errors.ts';
export type { ErrorCode, ErrorData } from './errors.ts';

export { defineVersion, isVersion } from './lineage/version.ts';
export { lineage, tryExtend, isLineage, pathBetween } from './lineage/lineage.ts';
export type { Lineage, AnyLineage, VersionPlugin, PathStep, ExtendResult } from './lineage/lineage.ts';
export type {
  Version,
  AnyVersion,
  VersionDefinition,
  Link,
  AnyLink,
  MigrationOutput,
  MigratableState,
  Invariant,
  InvariantResult,
  Violation,
  HandleDefinition,
  TimerHandlers,
  ContextOf,
  ContextShape,
  StateValueOf,
  StateOf,
  EventOf,
  SnapshotOf,
  MachineOf,
  LastVersion,
} from './lineage/types.ts';

export { blocker, formatBlockers, formatDuration } from './blockers/messages.ts';
export type { RefusalHeader } from './blockers/messages.ts';
export type { Blocker, BlockerKind, BlockerOf, BlockerInput, LinkRef } from './blockers/blocker.ts';

export { migrate } from './migrate/migrate.ts';
export type { MigrateOptions, MigrateResult } from './migrate/migrate.ts';
export { verifySnapshot, verifyState, invariantBlockers } from './migrate/verify.ts';
export type { VerifyOptions, VerifyResult } from './migrate/verify.ts';
export { isPersistedSnapshot } from './xstate/persisted.ts';
export type { PersistedSnapshot, PersistedChild } from './xstate/persisted.ts';

export { ENVELOPE_FORMAT, createEnvelope, parseEnvelope, envelopeHash, serializeEnvelope } from './store/envelope.ts';
export type { Envelope, EnvelopeInput, EnvelopeResult, PersistedTimer } from './store/envelope.ts';
export { isInstanceId } from './store/store.ts';
export type { EnvelopeStore, LoadResult } from './store/store.ts';
export { createFileStore } from './store/file-store.ts';
export type { FileStore, FileStoreOptions } from './store/file-store.ts';
export { restoreEnvelope, restoreFromStore } from './store/restore.ts';
export type { RestoreOptions, RestoreResult } from './store/restore.ts';

export { systemClock, ManualClock, MAX_TIMER_MS, isTimerDelay } from './clock/clock.ts';
export type { Clock } from './clock/clock.ts';

export { createRuntime } from './runtime/runtime.ts';
export type { Runtime, RuntimeOptions, StartOptions, LineageEvent, SwapAllRequest, StartResult } from './runtime/runtime.ts';
export { LiveComponent } from './runtime/component.ts';
export type { Lease, PersistResult } from './runtime/component.ts';
export type { LineageSnapshot, LineageEmitted, VersionedSnapshot } from './runtime/actor-api.ts';
export { startTimer, cancelTimer } from './live/timers.ts';
export type { StartTimerOptions } from './live/timers.ts';

export type { LedgerSnapshot, LedgerDelay, LedgerTimer, LedgerInFlight, LedgerLease, LateResult } from './ledger/ledger.ts';

export { ChannelNames } from './diagnostics/channels.ts';
export type { SwapTrace, SwapAllTrace, SwapPhaseMessage, PluginLoadTrace } from './diagnostics/channels.ts';

export { formatReport, SwapPhases } from './swap/report.ts';
export type { JournaledReport, RollbackReport, SwapReport, SwapPhase, EffectOutcomes } from './swap/report.ts';
export { DEFAULT_DEADLINE_MS } from './swap/options.ts';
export type { ProbationOptions, ProbationState } from './swap/options.ts';
export type { Projection, Rehearsal, RehearsalPhase, RehearseOptions, ReplayDivergence, ReplayReport, ReplayState } from './swap/rehearse.ts';
export type { ProbationCause, ProbationOutcome, ProbationStatus } from './runtime/probation.ts';
export type {
  SwapOptions,
  SwapPolicies,
  DelayPolicy,
  TimerPolicy,
  PromisePolicy,
  LeasePolicy,
  CallbackPolicy,
  Precondition,
  PreconditionContext,
} from './swap/options.ts';
export type { SwapAllOptions, SwapAllProgress, SwapAllReport } from './swap/swap-all.ts';
export type { RollingCheckpoint, SwapRollingOptions, SwapRollingReport } from './swap/swap-rolling.ts';

export { MemoryJournal } from './journal/journal.ts';
export type { Journal, JournalEntry } from './journal/journal.ts';
export { FileJournal } from './journal/file-journal.ts';
export type { FileJournalOptions } from './journal/file-journal.ts';
