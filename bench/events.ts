/**
 * Event throughput: `component.send` on a live component vs `actor.send` on a bare XState actor of
 * the same counter machine. Many short rounds alternate A/B (flipping the order every round: A B,
 * B A, …), so drift in the machine's speed hits both sides alike. The figure is the median of the
 * per-pair ratios: on a shared, loaded machine a pair measured back to back is far steadier than
 * the ratio of two medians taken over the whole run (both are reported).
 */
import { createActor } from 'xstate';
import { createRuntime } from 'hotswap';
import { collectGarbage } from './_internal/gc.ts';
import { counterLineage, counterMachine, type CounterEvent } from './_internal/machines.ts';
import { median, round } from './_internal/stats.ts';

export interface EventsConfig {
  readonly rounds: number;
  readonly eventsPerRound: number;
  readonly warmupRounds: number;
}

export interface EventsResult {
  readonly bareOpsPerS: number;
  readonly liveOpsPerS: number;
  /** live ÷ bare: the median of the per-pair ratios (each pair measured back to back). */
  readonly ratio: number;
  /** live ÷ bare from the median round of each side. */
  readonly ratioOfMedians: number;
  /** The same on process CPU time: immune to time this process spent descheduled on a busy machine. */
  readonly cpuPairedRatio: number;
  readonly bareNsPerEvent: number;
  readonly liveNsPerEvent: number;
  readonly rounds: number;
  readonly eventsPerRound: number;
}

const inc: CounterEvent = { type: 'INC', by: 1 };

/** Sends `n` events through `send`; returns events per second of wall time and of process CPU time. */
function timeSends(send: (e: CounterEvent) => void, n: number): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) send(inc);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall: n / (ms / 1000), cpu: n / ((c.user + c.system) / 1e6) };
}

export async function benchEvents(config: EventsConfig): Promise<EventsResult> {
  const bare = createActor(counterMachine).start();
  const runtime = createRuntime();
  const live = runtime.start(counterLineage, { version: 1 });
  const sendBare = (e: CounterEvent): void => bare.send(e);
  const sendLive = (e: CounterEvent): void => live.send(e);

  for (let i = 0; i < config.warmupRounds; i++) {
    timeSends(sendBare, config.eventsPerRound);
    timeSends(sendLive, config.eventsPerRound);
  }
  collectGarbage();

  const bareRounds: number[] = [];
  const liveRounds: number[] = [];
  const pairs: number[] = [];
  const cpuPairs: number[] = [];
  for (let r = 0; r < config.rounds; r++) {
    let b: { wall: number; cpu: number };
    let l: { wall: number; cpu: number };
    if (r % 2 === 0) {
      b = timeSends(sendBare, config.eventsPerRound);
      l = timeSends(sendLive, config.eventsPerRound);
    } else {
      l = timeSends(sendLive, config.eventsPerRound);
      b = timeSends(sendBare, config.eventsPerRound);
    }
    bareRounds.push(b.wall);
    liveRounds.push(l.wall);
    pairs.push(l.wall / b.wall);
    cpuPairs.push(l.cpu / b.cpu);
  }

  // both must have processed every event: a benchmark of dropped events would flatter us
  const expected = (config.warmupRounds + config.rounds) * config.eventsPerRound;
  const bareCount = (bare.getSnapshot().context as { count: number }).count;
  const liveCount = (live.getSnapshot().context as { count: number }).count;
  if (bareCount !== expected || liveCount !== expected) {
    throw new Error(`events lost: expected ${expected}, bare counted ${bareCount}, live counted ${liveCount}`);
  }
  bare.stop();
  await runtime.stop();

  const bareOps = median(bareRounds);
  const liveOps = median(liveRounds);
  return {
    bareOpsPerS: Math.round(bareOps),
    liveOpsPerS: Math.round(liveOps),
    ratio: round(median(pairs), 3),
    ratioOfMedians: round(liveOps / bareOps, 3),
    cpuPairedRatio: round(median(cpuPairs), 3),
    bareNsPerEvent: round(1e9 / bareOps, 0),
    liveNsPerEvent: round(1e9 / liveOps, 0),
    rounds: config.rounds,
    eventsPerRound: config.eventsPerRound,
  };
}
