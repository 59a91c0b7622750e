/**
 * `hotswap/fleet` — one new component version across many processes: a store (in memory, or
 * PostgreSQL through the optional `pg` peer dependency), agents that swap their process's instances,
 * and a controller that moves a rollout through waves and gates by compare-and-set. See docs/fleet.md.
 *
 * @packageDocumentation
 */
export { createMemoryStore } from './memory-store.ts';
export type { MemoryStoreOptions } from './memory-store.ts';
export { createPostgresStore } from './postgres-store.ts';
export type { PostgresStore, PostgresStoreOptions, PgPoolLike, PgClientLike } from './postgres-store.ts';
export { startAgent } from './agent.ts';
export type { Agent, AgentOptions } from './agent.ts';
export { startRollout, tick, driveRollout, resumeRollout, abortRollout } from './controller.ts';
export type { ControllerOptions, TickResult } from './controller.ts';
export { DEFAULT_WAVES, DEFAULT_GATE, judge, transition } from './rules.ts';
export type { GateCheck, Transition } from './rules.ts';
export { formatRollout, formatStory } from './format.ts';
export { RolloutStatuses, StepStatuses, isFinal } from './types.ts';
export type {
  RolloutStatus,
  StepStatus,
  StepKind,
  WaveSpec,
  GateSpec,
  RolloutSpec,
  Rollout,
  StepCounts,
  RolloutView,
  Step,
  SwapSummary,
  StepOutcome,
  InstanceInfo,
  AgentInfo,
  InstanceRow,
  AuditKind,
  AuditEntry,
  Evidence,
  GateVerdict,
  Move,
  MoveResult,
  StartResult,
  FleetStore,
} from './types.ts';
