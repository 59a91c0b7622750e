/**
 * `npm run bench:fleet`: the coordination overhead of a fleet rollout on PostgreSQL. 8 agent processes
 * × 1,000 counter instances each (serving an event per instance per second), rolled out v1 → v2 in
 * 3 waves (1 instance, 10 %, everything) with zero soak, by a controller in this process:
 *
 * - `fleet.rollout_8x1000_ms`: from `startRollout` to `completed` (target ≤ 5 s);
 * - `fleet.max_loop_block_ms`: the longest event-loop block any agent saw during it (target ≤ 20 ms),
 *   from `monitorEventLoopDelay` — on a loaded machine it includes the time the OS did not schedule the
 *   process, so read it with the load printed beside it; `fleet.max_cpu_block_ms` is the part that is the
 *   agent's own: the most CPU time the process used between two turns of a 1 ms timer (a synchronous block
 *   of its making, whoever else the OS ran — but `process.cpuUsage()` is per process, so V8's GC helper and
 *   compiler threads count too); `fleet.max_main_thread_cpu_block_ms` is the same for the main thread alone
 *   (Linux `/proc/thread-self/schedstat`; Node 20 has no `process.threadCpuUsage`): the block the agent's
 *   own JavaScript and its GC pauses put on the event loop, -1 where unmeasured;
 *   `fleet.max_main_block_ex_gc_ms` bounds the main thread's non-GC work in an interval (min(CPU, wall) − the
 *   GC pauses V8 reported in it; concurrent GC work reports no pause, so it reads like the process figure);
 *   `fleet.max_gc_pause_ms` is the longest GC pause (wall: a descheduled pause counts whole);
 *   `fleet.p99_loop_delay_ms` shows the typical delay;
 * - `fleet.pg_round_trips_per_instance`: statements sent by the agents and the controller during the
 *   rollout, per instance;
 * - baseline in the same run: the same 8,000 swaps done locally in one process (`fleet.local_8000_swaps_ms`),
 *   and the ratio.
 *
 * A throwaway PostgreSQL server is started (test/fleet/_support/postgres.ts) unless `--db <url>` is given.
 * `--batch <n>`: steps an agent claims per transaction (default 250); `--cpu-prof <dir>`: a CPU profile per
 * agent process, written there when it exits.
 * Writes bench/results/fleet.json and adds the `fleet.*` keys to bench/results/latest.json.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRuntime } from 'hotswap';
import { createPostgresStore, driveRollout, startRollout } from 'hotswap/fleet';
import { counterLineages } from '../test/fleet/_support/counter.ts';
import { startPostgres } from '../test/fleet/_support/postgres.ts';
import { bundleAgent, startAgentProcess } from '../test/fleet/_support/processes.ts';
import { round, runMeta } from './_internal/stats.ts';
import { table } from './_internal/table.ts';

const { values: args } = parseArgs({ options: { db: { type: 'string' }, agents: { type: 'string', default: '8' }, instances: { type: 'string', default: '1000' }, batch: { type: 'string', default: '250' }, 'cpu-prof': { type: 'string' }, out: { type: 'string' } } });
const here = dirname(fileURLToPath(import.meta.url));
const outFile = resolve(args.out ?? `${here}/results/fleet.json`);
const nAgents = Number(args.agents);
const nInstances = Number(args.instances);
const total = nAgents * nInstances;
const load = loadavg()[0]!;

// baseline: the same swaps, done locally in one process, 16 at a time with a yield between groups (as an agent does)
const runtime = createRuntime();
const local = Array.from({ length: total }, (_, i) => runtime.start(counterLineages.good, { id: `local${i}`, version: 1 }));
const t0 = performance.now();
for (let i = 0; i < local.length; i += 16) {
  await Promise.all(local.slice(i, i + 16).map((c) => c.swap(2)));
  await new Promise<void>((r) => setImmediate(r));
}
const localMs = performance.now() - t0;
if (!local.every((c) => c.version === 2)) throw new Error('bench: a local swap did not commit');
await runtime.stop();

const server = args.db === undefined ? await startPostgres() : undefined;
const db = args.db ?? (await server!.database('bench'));
const schema = `bench_${process.pid}`;
const script = await bundleAgent();
const store = await createPostgresStore({ connectionString: db, schema });
process.stderr.write(`bench fleet: ${nAgents} agents × ${nInstances} instances, starting agents…\n`);
const procs = await Promise.all(Array.from({ length: nAgents }, (_, i) => startAgentProcess(script, { db, schema, agent: `bench${i}`, instances: String(nInstances), every: '1000', lease: '10000', batch: args.batch }, 60_000, args['cpu-prof'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-interval=250', `--cpu-prof-dir=${resolve(args['cpu-prof'])}`])));
await new Promise((r) => setTimeout(r, 500)); // let registrations settle

for (const p of procs) p.mark();
const tripsBefore = store.roundTrips;
const start = performance.now();
const started = await startRollout(store, { component: 'counter', from: 1, to: 2, waves: [{ count: 1 }, { share: 0.1 }, { share: 1 }], gate: { soakMs: 0 } });
if (!started.ok) throw new Error(`bench: ${started.message}`);
const end = await driveRollout(store, started.rollout.id, { pollMs: 50 });
const rolloutMs = performance.now() - start;
const controllerTrips = store.roundTrips - tripsBefore;
if (end.rollout.status !== 'completed') throw new Error(`bench: rollout ended ${end.rollout.status}: ${end.rollout.reason}`);
const reports = await Promise.all(procs.map((p) => p.finish()));
await store.close();
await server?.stop();
rmSync(script, { force: true });

const upgraded = reports.flatMap((r) => r.instances).filter((i) => i.version === 2).length;
const lost = reports.flatMap((r) => r.instances).reduce((n, i) => n + i.lost + i.duplicated + i.outOfOrder, 0);
const agentTrips = reports.reduce((n, r) => n + r.roundTrips, 0);
const maxBlock = Math.max(...reports.map((r) => r.maxLoopBlockMs));
const maxCpuBlock = Math.max(...reports.map((r) => r.maxCpuBlockMs));
const p99Delay = Math.max(...reports.map((r) => r.p99LoopDelayMs));
const maxMainThread = Math.max(...reports.map((r) => r.maxMainThreadCpuBlockMs));
const maxMainBlock = Math.max(...reports.map((r) => r.maxMainBlockExGcMs));
const maxGcPause = Math.max(...reports.map((r) => r.maxGcPauseMs));
const worst = reports.map((r) => r.worstCpuInterval).reduce((a, b) => (b.cpuMs > a.cpuMs ? b : a));
const results: Record<string, number | string> = {
  ...runMeta(load),
  'fleet.agents': nAgents,
  'fleet.instances': total,
  'fleet.rollout_8x1000_ms': round(rolloutMs, 0),
  'fleet.local_8000_swaps_ms': round(localMs, 0),
  'fleet.rollout_vs_local': round(rolloutMs / localMs, 2),
  'fleet.max_loop_block_ms': round(maxBlock, 1),
  'fleet.max_cpu_block_ms': round(maxCpuBlock, 1),
  'fleet.p99_loop_delay_ms': round(p99Delay, 1),
  'fleet.max_main_thread_cpu_block_ms': round(maxMainThread, 1),
  'fleet.max_main_block_ex_gc_ms': round(maxMainBlock, 1),
  'fleet.max_gc_pause_ms': round(maxGcPause, 1),
  'fleet.pg_round_trips_per_instance': round((agentTrips + controllerTrips) / total, 3),
  'fleet.pg_round_trips_controller': controllerTrips,
  'fleet.pg_round_trips_agents': agentTrips,
  'fleet.upgraded': upgraded,
  'fleet.g1_violations': lost,
};
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
const latest = `${here}/results/latest.json`;
const merged = existsSync(latest) ? (JSON.parse(readFileSync(latest, 'utf8')) as Record<string, unknown>) : {};
for (const [k, v] of Object.entries(results)) if (k.startsWith('fleet.')) merged[k] = v;
writeFileSync(latest, `${JSON.stringify(merged, null, 2)}\n`);

process.stdout.write(
  [
    '',
    `hotswap fleet bench — node ${process.version}, ${cpus().length} cpus, load ${load.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
    '',
    table(
      ['measure', 'value', 'target'],
      [
        [`rollout ${nAgents} × ${nInstances} a → b, 3 waves, zero soak`, `${results['fleet.rollout_8x1000_ms']} ms`, '≤ 5000 ms'],
        [`baseline: the same ${total} swaps locally, one process`, `${results['fleet.local_8000_swaps_ms']} ms`, ''],
        ['rollout ÷ local', String(results['fleet.rollout_vs_local']), ''],
        ['longest event-loop block in an agent', `${results['fleet.max_loop_block_ms']} ms`, '≤ 20 ms'],
        ['  of it the agent\'s own CPU work (not OS scheduling)', `${results['fleet.max_cpu_block_ms']} ms`, ''],
        ['  of it the main thread\'s CPU alone (no GC/compiler threads)', maxMainThread < 0 ? 'not measured' : `${results['fleet.max_main_thread_cpu_block_ms']} ms`, '≤ 20 ms'],
        ['  bound on its non-GC work (CPU ∧ wall − GC pauses)', `${results['fleet.max_main_block_ex_gc_ms']} ms`, '≤ 20 ms'],
        ['longest GC pause in an agent', `${results['fleet.max_gc_pause_ms']} ms`, ''],
        ['event-loop delay p99, worst agent', `${results['fleet.p99_loop_delay_ms']} ms`, ''],
        ['PostgreSQL round trips per instance', String(results['fleet.pg_round_trips_per_instance']), ''],
        ['instances on v2 / G1 violations', `${upgraded} / ${lost}`, `${total} / 0`],
      ],
    ),
    '',
    `worst CPU interval: ${worst.cpuMs.toFixed(1)} ms CPU in ${worst.wallMs.toFixed(1)} ms wall, ${worst.gcMs.toFixed(1)} ms of it GC pauses (kinds ${worst.gcKinds.join(',') || 'none'})`,
    `written: ${outFile} (and the fleet.* keys in ${latest})`,
    '',
  ].join('\n'),
);
