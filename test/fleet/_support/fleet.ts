/**
 * In-process fleets for the store-level tests: `agents` runtimes, each hosting `instances` counters
 * and a fleet agent, plus a sender that keeps events flowing to every instance while a rollout runs.
 */
import { createRuntime, type LiveComponent, type Runtime } from '../../../src/index.ts';
import { startAgent, type Agent, type FleetStore } from '../../../src/fleet/index.ts';
import { counterLineages, lostOrDuplicated } from './counter.ts';

export interface TestFleet {
  readonly runtimes: readonly Runtime[];
  readonly agents: Agent[];
  readonly components: readonly LiveComponent<any>[];
  /** Sends one numbered event to every instance. */
  send(): void;
  /** Per instance: lost / duplicated / out-of-order events so far (all zero under G1). */
  g1(): { lost: number; duplicated: number; outOfOrder: number };
  stop(): Promise<void>;
}

/** Starts the fleet; `busy` instance ids get 5 events first (the `bad` v2 refuses them). */
export async function startFleet(store: FleetStore, o: { agents: number; instances: number; lineage?: 'good' | 'bad'; leaseMs?: number; busy?: readonly string[] }): Promise<TestFleet> {
  const lineage = counterLineages[o.lineage ?? 'good'];
  const runtimes: Runtime[] = [];
  const agents: Agent[] = [];
  const components: LiveComponent<any>[] = [];
  const sent = new Map<LiveComponent<any>, number>();
  for (let a = 0; a < o.agents; a++) {
    const runtime = createRuntime();
    runtimes.push(runtime);
    const mine: LiveComponent<any>[] = [];
    for (let i = 0; i < o.instances; i++) {
      const c = runtime.start(lineage, { id: `a${a}/i${i}`, version: 1 });
      mine.push(c);
      sent.set(c, 0);
    }
    components.push(...mine);
    agents.push(await startAgent({ store, agentId: `agent-${a}`, process: `test:${a}`, components: () => mine, leaseMs: o.leaseMs ?? 2000, pollMs: 20 }));
  }
  const send = (only?: (c: LiveComponent<any>) => boolean): void => {
    for (const c of components) {
      if (only !== undefined && !only(c)) continue;
      const n = sent.get(c)!;
      c.send({ type: 'INC', seq: n });
      sent.set(c, n + 1);
    }
  };
  for (let k = 0; k < 5; k++) send((c) => o.busy?.includes(c.id) ?? false);
  return {
    runtimes,
    agents,
    components,
    send: () => send(),
    g1() {
      const total = { lost: 0, duplicated: 0, outOfOrder: 0 };
      for (const c of components) {
        const r = lostOrDuplicated(c.getSnapshot().context.seen, sent.get(c)!);
        total.lost += r.lost;
        total.duplicated += r.duplicated;
        total.outOfOrder += r.outOfOrder;
      }
      return total;
    },
    async stop() {
      await Promise.all(agents.map((a) => a.stop()));
      await Promise.all(runtimes.map((r) => r.stop()));
    },
  };
}
