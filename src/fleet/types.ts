/**
 * The fleet's vocabulary: rollouts, waves, gates, steps, agents' instances and the audit log, as plain
 * data. Both stores (in memory, PostgreSQL) speak exactly these types, so nothing above the
 * {@link FleetStore} interface knows which one it has. Tests: test/fleet/*.
 */

/** Where a rollout is. `paused` waits for a person; `completed` and `aborted` are final. */
export const RolloutStatuses = ['waving', 'gating', 'paused', 'reverting', 'completed', 'aborted'] as const;
/** One of {@link RolloutStatuses}. */
export type RolloutStatus = (typeof RolloutStatuses)[number];

/** True for the statuses a rollout never leaves. */
export function isFinal(status: RolloutStatus): boolean {
  return status === 'completed' || status === 'aborted';
}

/**
 * Where one instance's step is: `planned` (its wave is not open), `pending` (open, not claimed),
 * `claimed` (an agent is swapping it), `done` / `failed` (the agent recorded the swap report),
 * `unknown` (its agent's lease ran out before it recorded anything: never counted as upgraded),
 * `cancelled` (the rollout was aborted before the step was claimed).
 */
export const StepStatuses = ['planned', 'pending', 'claimed', 'done', 'failed', 'unknown', 'cancelled'] as const;
/** One of {@link StepStatuses}. */
export type StepStatus = (typeof StepStatuses)[number];

/** `up`: from → to; `down`: the revert of an instance an aborted rollout had upgraded. */
export type StepKind = 'up' | 'down';

/**
 * One wave of a plan, as a **cumulative** target (Argo Rollouts' `setWeight`): after this wave,
 * `count` instances, or `share` (0 < share ≤ 1, rounded up) of all instances, or every instance of the
 * first `processes` agents run the new version. The last wave always takes the rest.
 */
export type WaveSpec = { readonly count: number } | { readonly share: number } | { readonly processes: number };

/** How a gate judges the evidence. */
export interface GateSpec {
  /**
   * How long (on the store's clock: PostgreSQL's `now()`) the wave soaks after its last step settled
   * before the evidence is queried. @defaultValue 0
   */
  readonly soakMs?: number;
  /** Highest share of the wave's swaps that may fail (refused) and still pass. @defaultValue 0 */
  readonly maxFailureRate?: number;
  /**
   * What instances whose agent died (`unknown`) make of the gate: `pause` for a person, `fail` the
   * rollout, or `ignore` them. @defaultValue 'pause'
   */
  readonly onUnknown?: 'pause' | 'fail' | 'ignore';
}

/** What a caller asks for when starting a rollout. */
export interface RolloutSpec {
  /** @defaultValue a random UUID */
  readonly id?: string;
  readonly component: string;
  readonly from: number;
  readonly to: number;
  /** @defaultValue one canary instance, then 10 %, then everything */
  readonly waves?: readonly WaveSpec[];
  readonly gate?: GateSpec;
  /** Who started it, for the audit log. @defaultValue 'controller' */
  readonly by?: string;
}

/** A rollout row. `version` is the compare-and-set counter: every move increments it. */
export interface Rollout {
  readonly id: string;
  readonly component: string;
  readonly from: number;
  readonly to: number;
  readonly waves: readonly WaveSpec[];
  /** Instances per wave, fixed when the rollout started. */
  readonly sizes: readonly number[];
  readonly gate: Required<GateSpec>;
  readonly status: RolloutStatus;
  /** The current wave (0-based). */
  readonly wave: number;
  readonly version: number;
  /** When the current gate's soak started (ms since epoch, store clock); null outside `gating`. */
  readonly gateStartedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Why it paused, aborted or completed. */
  readonly reason: string | null;
}

/** Counts of one wave's (or the revert's) steps by status. */
export type StepCounts = Readonly<Record<StepStatus, number>> & { readonly total: number };

/** A rollout with its progress, as read at `now` (store clock). */
export interface RolloutView {
  readonly rollout: Rollout;
  readonly waves: readonly StepCounts[];
  readonly revert: StepCounts;
  readonly now: number;
}

/** One unit of an agent's work. */
export interface Step {
  readonly rolloutId: string;
  readonly kind: StepKind;
  readonly wave: number;
  readonly component: string;
  readonly instance: string;
  readonly agentId: string;
  readonly from: number;
  readonly target: number;
}

/** The part of a swap report the fleet keeps (the whole one stays in the agent's journal). */
export interface SwapSummary {
  readonly outcome: 'committed' | 'refused';
  readonly from: number;
  readonly to: number;
  readonly phase?: string;
  readonly blockers: readonly { readonly kind: string; readonly message: string }[];
  readonly pauseUs: number;
  readonly totalUs: number;
  readonly journalId: string;
}

/** What an agent records for a step it claimed. */
export interface StepOutcome {
  readonly rolloutId: string;
  readonly kind: StepKind;
  readonly instance: string;
  readonly report: SwapSummary;
}

/** A live instance an agent hosts. */
export interface InstanceInfo {
  readonly component: string;
  readonly instance: string;
  readonly version: number;
}

/** An agent's registration. */
export interface AgentInfo {
  readonly agentId: string;
  /** Free text naming the process: host, pid. */
  readonly process: string;
  readonly instances: readonly InstanceInfo[];
}

/** An instance as the store knows it, with whether its agent's lease is still live. */
export interface InstanceRow extends InstanceInfo {
  readonly agentId: string;
  readonly alive: boolean;
}

/** Kinds of audit entries. */
export type AuditKind =
  | 'rollout-started'
  | 'wave-opened'
  | 'wave-settled'
  | 'instance-attempt'
  | 'instance-unknown'
  | 'gate-decision'
  | 'resumed'
  | 'abort-requested'
  | 'revert-started'
  | 'completed'
  | 'aborted';

/** One line of the audit log. `data` holds the evidence, the swap report, the plan. */
export interface AuditEntry {
  readonly seq: number;
  readonly rolloutId: string;
  readonly at: number;
  readonly kind: AuditKind;
  readonly wave: number | null;
  readonly instance: string | null;
  readonly agentId: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** What a gate looked at, queried at gate time. */
export interface Evidence {
  readonly wave: number;
  readonly attempted: number;
  readonly done: number;
  readonly failed: number;
  readonly unknown: number;
  readonly failureRate: number;
  /** Refusals in this wave by blocker kind, from the audit log. */
  readonly blockers: Readonly<Record<string, number>>;
  /** What the caller's check returned, if there is one. */
  readonly check?: { readonly verdict: GateVerdict; readonly detail?: unknown };
}

/** A gate's decision (Argo Rollouts' analysis: Successful / Failed / Inconclusive). */
export type GateVerdict = 'pass' | 'fail' | 'inconclusive';

/** A move a controller or a person makes; each is compare-and-set on {@link Rollout.version}. */
export type Move =
  | { readonly kind: 'settle-wave' }
  | { readonly kind: 'decide'; readonly verdict: GateVerdict; readonly evidence: Evidence; readonly reason: string }
  | { readonly kind: 'resume'; readonly by: string }
  | { readonly kind: 'abort'; readonly by: string; readonly reason: string }
  | { readonly kind: 'finish-revert' };

/** The result of a move or a start: results first, never a throw for a lost race. */
export type MoveResult =
  | { readonly ok: true; readonly rollout: Rollout }
  | { readonly ok: false; readonly code: 'CAS_LOST'; readonly message: string; readonly current: Rollout }
  | { readonly ok: false; readonly code: 'INVALID_MOVE'; readonly message: string; readonly current: Rollout }
  | { readonly ok: false; readonly code: 'NOT_FOUND'; readonly message: string };

/** The result of starting a rollout. */
export type StartResult =
  | { readonly ok: true; readonly rollout: Rollout }
  | { readonly ok: false; readonly code: 'ROLLOUT_ACTIVE' | 'ROLLOUT_EXISTS' | 'NO_INSTANCES'; readonly message: string; readonly current?: Rollout };

/**
 * Where the fleet keeps its state. Every method is one transaction: all-or-none. Time (leases, soak)
 * is the store's own clock — PostgreSQL's `now()` — never the caller's.
 */
export interface FleetStore {
  readonly kind: 'memory' | 'postgres';
  /** Registers (or re-registers) an agent and its instances, with a lease of `leaseMs`. */
  registerAgent(agent: AgentInfo, leaseMs: number): Promise<void>;
  /** Renews the lease; false when the lease had already run out (the agent was declared dead). */
  heartbeat(agentId: string, leaseMs: number): Promise<boolean>;
  /** Claims up to `limit` pending steps of this agent (`FOR UPDATE SKIP LOCKED`), oldest wave first. */
  claimSteps(agentId: string, limit: number): Promise<readonly Step[]>;
  /**
   * Records outcomes of claimed steps, the instances' new versions and one audit entry each, in one
   * transaction. Steps no longer claimed by this agent are skipped; returns how many were recorded.
   */
  completeSteps(agentId: string, outcomes: readonly StepOutcome[]): Promise<number>;
  /** Instances of a component, with their agents' liveness. */
  instances(component: string): Promise<readonly InstanceRow[]>;
  /** Plans and starts a rollout over the component's live instances on `from`; opens wave 0. */
  startRollout(spec: Required<Omit<RolloutSpec, 'gate'>> & { readonly gate: Required<GateSpec> }): Promise<StartResult>;
  /** A rollout with its per-wave progress, or undefined. */
  view(rolloutId: string): Promise<RolloutView | undefined>;
  /** Every rollout, newest first. */
  rollouts(): Promise<readonly Rollout[]>;
  /** Marks the rollout's open steps whose agent's lease ran out `unknown`; returns how many. */
  expireDeadAgents(rolloutId: string): Promise<number>;
  /** In `reverting`: creates the down steps of upgraded instances not yet given one (idempotent). */
  ensureRevertSteps(rolloutId: string): Promise<number>;
  /** The gate's evidence for a wave, queried now from the steps and the audit log. */
  evidence(rolloutId: string, wave: number): Promise<Evidence>;
  /** Compare-and-set: applies `move` if the rollout's version is still `expectedVersion`. */
  move(rolloutId: string, expectedVersion: number, move: Move): Promise<MoveResult>;
  /** The rollout's audit log, in order. */
  audit(rolloutId: string): Promise<readonly AuditEntry[]>;
  /** Calls `listener` when work may be waiting (LISTEN/NOTIFY, or in memory); returns the unsubscriber. */
  subscribe(listener: () => void): () => void;
  /** Releases connections the store opened (a pool passed in stays open). */
  close(): Promise<void>;
}
