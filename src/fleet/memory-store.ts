/**
 * The in-memory fleet store: the embedded default for one process hosting many instances, and the
 * model the racing-controller property test runs against. Every method runs to completion without an
 * await inside, which is what a transaction is in one JavaScript thread; the `await` a caller makes
 * between reading a rollout and moving it is where races happen, as with PostgreSQL.
 * Tests: test/fleet/memory-store.test.ts, test/fleet/controllers-race.property.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { countsFrom, evidenceFrom } from './_internal/counts.ts';
import { assignWaves, moveData, transition } from './rules.ts';
import type { AgentInfo, AuditEntry, AuditKind, Evidence, FleetStore, InstanceRow, Move, MoveResult, Rollout, RolloutView, StartResult, Step, StepOutcome, StepStatus } from './types.ts';
import { isFinal } from './types.ts';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** The store's clock (leases, soak). @defaultValue `Date.now` */
  readonly now?: () => number;
}

interface StepRow extends Step {
  status: StepStatus;
  leaseAgent: string;
}

/**
 * Creates an in-memory {@link FleetStore}.
 *
 * @example
 * const store = createMemoryStore();
 * const agent = await startAgent({ store, agentId: 'a', components: () => runtime.components() });
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): FleetStore {
  const now = options.now ?? Date.now;
  const agents = new Map<string, { process: string; leaseUntil: number }>();
  const instances = new Map<string, { component: string; instance: string; version: number; agentId: string }>();
  const rollouts = new Map<string, Rollout>();
  const steps = new Map<string, Map<string, StepRow>>();
  const log: AuditEntry[] = [];
  const listeners = new Set<() => void>();

  const key = (a: string, b: string): string => `${a}\u0000${b}`;
  const alive = (agentId: string): boolean => (agents.get(agentId)?.leaseUntil ?? -Infinity) > now();
  const audit = (rolloutId: string, kind: AuditKind, rest: Partial<Pick<AuditEntry, 'wave' | 'instance' | 'agentId' | 'data'>> = {}): void => {
    log.push({ seq: log.length + 1, rolloutId, at: now(), kind, wave: rest.wave ?? null, instance: rest.instance ?? null, agentId: rest.agentId ?? null, data: rest.data ?? {} });
  };
  const notify = (): void => {
    // asynchronously, as NOTIFY arrives after COMMIT; a listener that throws must not break the store
    for (const l of listeners) queueMicrotask(l);
  };
  const stepsOf = (rolloutId: string): Map<string, StepRow> => steps.get(rolloutId) ?? new Map();
  const counts = (rolloutId: string, pick: (s: StepRow) => boolean) => countsFrom([...stepsOf(rolloutId).values()].filter(pick).map((s) => ({ status: s.status, n: 1 })));

  /** Cancels unclaimed up-steps and creates down steps for upgraded instances (synchronous: part of a move). */
  const revertSteps = (rolloutId: string): number => {
    const r = rollouts.get(rolloutId);
    if (r?.status !== 'reverting') return 0;
    const map = stepsOf(rolloutId);
    let n = 0;
    for (const s of [...map.values()]) {
      if (s.kind === 'up' && (s.status === 'planned' || s.status === 'pending')) s.status = 'cancelled';
      if (s.kind === 'up' && s.status === 'done' && !map.has(key('down', s.instance))) {
        map.set(key('down', s.instance), { ...s, kind: 'down', from: r.to, target: r.from, status: 'pending' });
        n++;
      }
    }
    if (n > 0) notify();
    return n;
  };

  const store: FleetStore = {
    kind: 'memory',
    async registerAgent(agent: AgentInfo, leaseMs: number) {
      agents.set(agent.agentId, { process: agent.process, leaseUntil: now() + leaseMs });
      for (const i of agent.instances) instances.set(key(i.component, i.instance), { ...i, agentId: agent.agentId });
    },
    async heartbeat(agentId, leaseMs) {
      const a = agents.get(agentId);
      if (a === undefined || a.leaseUntil <= now()) return false;
      a.leaseUntil = now() + leaseMs;
      return true;
    },
    async claimSteps(agentId, limit) {
      if (!alive(agentId)) return [];
      const out: Step[] = [];
      for (const [id, map] of steps) {
        if (isFinal(rollouts.get(id)!.status)) continue;
        for (const s of map.values()) {
          if (out.length >= limit) break;
          if (s.agentId === agentId && s.status === 'pending') {
            s.status = 'claimed';
            out.push(stepOf(s));
          }
        }
      }
      return out;
    },
    async completeSteps(agentId, outcomes: readonly StepOutcome[]) {
      let n = 0;
      for (const o of outcomes) {
        const s = stepsOf(o.rolloutId).get(key(o.kind, o.instance));
        if (s === undefined || s.status !== 'claimed' || s.agentId !== agentId) continue;
        s.status = o.report.outcome === 'committed' ? 'done' : 'failed';
        const i = instances.get(key(s.component, s.instance));
        if (i !== undefined && o.report.outcome === 'committed') i.version = o.report.to;
        audit(o.rolloutId, 'instance-attempt', { wave: s.wave, instance: s.instance, agentId, data: { kind: o.kind, ...o.report } });
        n++;
      }
      if (n > 0) notify();
      return n;
    },
    async instances(component) {
      return [...instances.values()].filter((i) => i.component === component).map((i): InstanceRow => ({ ...i, alive: alive(i.agentId) }));
    },
    async startRollout(spec): Promise<StartResult> {
      if (rollouts.has(spec.id)) return { ok: false, code: 'ROLLOUT_EXISTS', message: `rollout ${spec.id} exists`, current: rollouts.get(spec.id)! };
      const active = [...rollouts.values()].find((r) => r.component === spec.component && !isFinal(r.status));
      if (active !== undefined) return { ok: false, code: 'ROLLOUT_ACTIVE', message: `rollout ${active.id} of ${spec.component} is ${active.status}`, current: active };
      const live = (await store.instances(spec.component)).filter((i) => i.alive && i.version === spec.from);
      if (live.length === 0) return { ok: false, code: 'NO_INSTANCES', message: `no live instance of ${spec.component} runs v${spec.from}` };
      const plan = assignWaves(live, spec.waves);
      const t = now();
      const rollout: Rollout = { id: spec.id, component: spec.component, from: spec.from, to: spec.to, waves: spec.waves, sizes: plan.sizes, gate: spec.gate, status: 'waving', wave: 0, version: 1, gateStartedAt: null, createdAt: t, updatedAt: t, reason: null };
      rollouts.set(spec.id, rollout);
      const map = new Map<string, StepRow>();
      plan.order.forEach((r, i) => {
        const wave = plan.waveOf[i]!;
        map.set(key('up', r.instance), { rolloutId: spec.id, kind: 'up', wave, component: r.component, instance: r.instance, agentId: r.agentId, from: spec.from, target: spec.to, status: wave === 0 ? 'pending' : 'planned', leaseAgent: r.agentId });
      });
      steps.set(spec.id, map);
      audit(spec.id, 'rollout-started', { data: { by: spec.by, component: spec.component, from: spec.from, to: spec.to, waves: spec.waves, sizes: plan.sizes, gate: spec.gate } });
      audit(spec.id, 'wave-opened', { wave: 0, data: { size: plan.sizes[0] } });
      notify();
      return { ok: true, rollout };
    },
    async view(rolloutId): Promise<RolloutView | undefined> {
      const rollout = rollouts.get(rolloutId);
      if (rollout === undefined) return undefined;
      const waves = rollout.sizes.map((_, w) => counts(rolloutId, (s) => s.kind === 'up' && s.wave === w));
      return { rollout, waves, revert: counts(rolloutId, (s) => s.kind === 'down'), now: now() };
    },
    async rollouts() {
      return [...rollouts.values()].sort((a, b) => b.createdAt - a.createdAt);
    },
    async expireDeadAgents(rolloutId) {
      let n = 0;
      for (const s of stepsOf(rolloutId).values()) {
        if ((s.status === 'pending' || s.status === 'claimed') && !alive(s.agentId)) {
          audit(rolloutId, 'instance-unknown', { wave: s.wave, instance: s.instance, agentId: s.agentId, data: { kind: s.kind, was: s.status, reason: 'agent lease expired' } });
          s.status = 'unknown';
          n++;
        }
      }
      if (n > 0) notify();
      return n;
    },
    async ensureRevertSteps(rolloutId) {
      return revertSteps(rolloutId);
    },
    async evidence(rolloutId, wave): Promise<Evidence> {
      const c = counts(rolloutId, (s) => s.kind === 'up' && s.wave === wave);
      const blockers: Record<string, number> = {};
      for (const e of log) {
        if (e.rolloutId !== rolloutId || e.kind !== 'instance-attempt' || e.wave !== wave || e.data['kind'] !== 'up') continue;
        for (const b of (e.data['blockers'] as { kind: string }[] | undefined) ?? []) blockers[b.kind] = (blockers[b.kind] ?? 0) + 1;
      }
      return evidenceFrom(wave, c, blockers);
    },
    async move(rolloutId, expectedVersion, move: Move): Promise<MoveResult> {
      const current = rollouts.get(rolloutId);
      if (current === undefined) return { ok: false, code: 'NOT_FOUND', message: `no rollout ${rolloutId}` };
      if (current.version !== expectedVersion) return { ok: false, code: 'CAS_LOST', message: `rollout ${rolloutId} moved on: version ${current.version}, expected ${expectedVersion}`, current };
      const t = transition(current, move);
      if ('refused' in t) return { ok: false, code: 'INVALID_MOVE', message: t.refused, current };
      const at = now();
      const next: Rollout = { ...current, status: t.status, wave: t.wave, version: current.version + 1, updatedAt: at, reason: t.reason, gateStartedAt: t.effect === 'start-gate' ? at : t.status === 'gating' ? current.gateStartedAt : null };
      rollouts.set(rolloutId, next);
      audit(rolloutId, t.audit, { wave: current.wave, data: { move: move.kind, ...moveData(move), status: t.status, ...(t.reason === null ? {} : { reason: t.reason }) } });
      if (t.effect === 'open-next-wave') {
        for (const s of stepsOf(rolloutId).values()) if (s.kind === 'up' && s.wave === t.wave && s.status === 'planned') s.status = 'pending';
        audit(rolloutId, 'wave-opened', { wave: t.wave, data: { size: next.sizes[t.wave] } });
      }
      if (t.status === 'completed') audit(rolloutId, 'completed', { wave: t.wave, data: { reason: t.reason } });
      if (t.effect === 'start-revert') {
        audit(rolloutId, 'revert-started', { wave: t.wave, data: { reason: t.reason } });
        revertSteps(rolloutId);
      }
      notify();
      return { ok: true, rollout: next };
    },
    async audit(rolloutId) {
      return log.filter((e) => e.rolloutId === rolloutId);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
  return store;
}

function stepOf(s: StepRow): Step {
  return { rolloutId: s.rolloutId, kind: s.kind, wave: s.wave, component: s.component, instance: s.instance, agentId: s.agentId, from: s.from, target: s.target };
}

/** A fresh id for a rollout. */
export function newRolloutId(): string {
  return randomUUID();
}

