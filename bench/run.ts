/**
 * `npm run bench` (full) and `npm run bench -- --quick`: event throughput and swap pause, each as a
 * ratio against a baseline measured in this same run, and the plugin server's HTTP latency with and
 * without swaps (bench/server.ts); rehearsal and probation costs (bench/rehearse.ts). Prints a table and writes flat JSON to
 * `bench/results/latest.json` (or `--out <file>`). See docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SwapPhases } from 'hotswap';
import { benchEvents, type EventsConfig } from './events.ts';
import { collectGarbage, gcAvailable } from './_internal/gc.ts';
import { round } from './_internal/stats.ts';
import { bytes, table, us } from './_internal/table.ts';
import { benchReload, type ReloadConfig } from './reload.ts';
import { benchServer, SERVER_RATE, SERVER_SIZES, type ServerConfig, type ServerResult } from './server.ts';
import { benchSwapSized, type SizedCase, type SizedResult } from './swap-sized.ts';
import { benchBigState, benchMass, benchMassInChild, type BigStateCase, type BigStateResult, bigStateResults, type MassCase } from './big-state.ts';
import { benchSwapTiny, type TinyConfig } from './swap-tiny.ts';
import { benchRehearse, REHEARSE_FULL, REHEARSE_QUICK, rehearseResults } from './rehearse.ts';

/** The targets of issue 3 (Performance). */
const TARGETS = { throughputRatio: 0.97, tinyPauseRatio: 2, tinyPauseP99Us: 250 } as const;

interface Plan {
  readonly events: EventsConfig;
  readonly tiny: TinyConfig;
  readonly sized: readonly SizedCase[];
  /** Loop-lag probe around big-state swaps, and a mass `swapAll` (bench/big-state.ts). */
  readonly big: readonly BigStateCase[];
  readonly mass: MassCase;
  readonly reload: Omit<ReloadConfig, 'source'>;
  /** The plugin server at the issue's 2,000 requests/s (open loop), then saturated (closed loop, `_saturated` keys). */
  readonly server: ServerConfig;
  readonly serverSaturated: ServerConfig;
}

const FULL: Plan = {
  events: { rounds: 400, eventsPerRound: 2_000, warmupRounds: 20 },
  tiny: { swaps: 5_000, blockSize: 250, warmupSwaps: 3_000 },
  sized: [
    { label: '1kb', bytes: 1_000, iterations: 200, warmup: 20 },
    { label: '100kb', bytes: 100_000, iterations: 50, warmup: 5 },
    { label: '10mb', bytes: 10_000_000, iterations: 5, warmup: 0 },
  ],
  big: [
    { label: '100kb', bytes: 100_000, iterations: 30 },
    { label: '10mb', bytes: 10_000_000, iterations: 8 },
  ],
  mass: { instances: 10_000, runs: 4 },
  reload: { reloads: 100, throughputRounds: 10, eventsPerRound: 20_000, swaps: 30 },
  server: { runs: 3, connections: 4, coldMs: 2_000, warmupMs: 3_000, warmMs: 6_000, everyMs: 100, sizes: SERVER_SIZES, rate: SERVER_RATE },
  serverSaturated: { runs: 2, connections: 4, coldMs: 2_000, warmupMs: 3_000, warmMs: 6_000, everyMs: 100, sizes: SERVER_SIZES },
};

const QUICK: Plan = {
  events: { rounds: 150, eventsPerRound: 2_000, warmupRounds: 10 },
  tiny: { swaps: 5_000, blockSize: 250, warmupSwaps: 3_000 }, // as the full run: a few seconds, and fewer swaps read the ratio high
  sized: [
    { label: '1kb', bytes: 1_000, iterations: 60, warmup: 10 },
    { label: '100kb', bytes: 100_000, iterations: 12, warmup: 2 },
    { label: '10mb', bytes: 10_000_000, iterations: 2, warmup: 0 },
  ],
  big: [
    { label: '100kb', bytes: 100_000, iterations: 10 },
    { label: '10mb', bytes: 10_000_000, iterations: 3 },
  ],
  mass: { instances: 10_000, runs: 2 },
  reload: { reloads: 20, throughputRounds: 5, eventsPerRound: 20_000, swaps: 10 },
  server: { runs: 1, connections: 4, coldMs: 2_000, warmupMs: 1_500, warmMs: 3_000, everyMs: 100, sizes: SERVER_SIZES, rate: SERVER_RATE },
  serverSaturated: { runs: 1, connections: 4, coldMs: 2_000, warmupMs: 1_500, warmMs: 3_000, everyMs: 100, sizes: SERVER_SIZES },
};

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } },
  allowPositionals: false,
});
const quick = args.quick === true;
const plan = quick ? QUICK : FULL;
const here = dirname(fileURLToPath(import.meta.url));
const outFile = resolve(args.out ?? `${here}/results/latest.json`);

const progress = (msg: string): void => void process.stderr.write(`bench: ${msg}\n`);
const started = performance.now();
const load = loadavg()[0]!;
const yes = (met: boolean): string => (met ? 'yes' : 'NO');

// `hotswap` resolves to the built package (dist/, what users install) unless run with `--conditions=source`
const measured = fileURLToPath(import.meta.resolve('hotswap')).includes(`${sep}src${sep}`) ? 'source' : 'dist';
progress(`${quick ? 'quick' : 'full'} run of hotswap's ${measured === 'dist' ? 'built package (dist/)' : 'TypeScript source (via tsx)'}, node ${process.version}, ${cpus().length} cpus, load ${load.toFixed(2)}, gc ${gcAvailable ? 'forced between sections' : 'not available'}`);

progress(`events: ${plan.events.rounds} rounds × ${plan.events.eventsPerRound} events each side`);
collectGarbage();
const events = await benchEvents(plan.events);

progress(`swap tiny: ${plan.tiny.swaps} swaps each side, blocks of ${plan.tiny.blockSize}`);
collectGarbage();
const tiny = await benchSwapTiny(plan.tiny);

const sized: SizedResult[] = [];
for (const c of plan.sized) {
  progress(`swap ${c.label}: ${c.iterations} iterations`);
  collectGarbage();
  sized.push(await benchSwapSized(c));
}

const big: BigStateResult[] = [];
for (const c of plan.big) {
  progress(`loop block ${c.label}: ${c.iterations} fresh components × 2 swaps, setImmediate probe`);
  big.push(await benchBigState(c));
}
progress(`mass: swapAll of ${plan.mass.instances.toLocaleString('en')} components × ${plan.mass.runs}`);
const mass = await benchMass(plan.mass);
progress(`mass: the same in fresh processes, default V8 flags and --max-semi-space-size=4`);
const massFresh = benchMassInChild([], plan.mass.runs);
const massSemi4 = benchMassInChild(['--max-semi-space-size=4'], plan.mass.runs);

progress(`worker hosting: ${plan.reload.reloads} reloads each way, ${plan.reload.swaps} drained replacements`);
collectGarbage();
const reload = await benchReload({ ...plan.reload, source: measured === 'source' });

const rehearseConfig = quick ? REHEARSE_QUICK : REHEARSE_FULL;
progress(`rehearse and probation: ${rehearseConfig.replays} replays of 1,000 events, ${rehearseConfig.rounds} blocks each side, ${rehearseConfig.sizedRuns} rehearsals of 10 MB inline and pooled`);
collectGarbage();
const rehearse = await benchRehearse(rehearseConfig);
const rehearsed = rehearseResults(rehearse);

progress(`plugin server: ${plan.server.sizes.map((s) => s.label).join(', ')} states, each ${plan.server.runs} × (quiet, swap every ${plan.server.everyMs} ms) fresh server processes, ${plan.server.rate} requests/s open loop over ${plan.server.connections} keep-alive connections`);
collectGarbage();
const servers = await benchServer(plan.server, progress);
progress(`plugin server, saturated: the same, ${plan.serverSaturated.runs} × each, closed loop (as fast as ${plan.serverSaturated.connections} connections are answered)`);
collectGarbage();
const saturated = await benchServer(plan.serverSaturated, (m) => progress(`${m} (saturated)`));

// ── results ─────────────────────────────────────────────────────────────────

const results: Record<string, number | string> = {
  'meta.date': new Date().toISOString(),
  'meta.node_version': process.version,
  'meta.quick': quick ? 1 : 0,
  /** 1: the built package (dist/), 0: the TypeScript source through tsx (`npm run bench:source`). */
  'meta.dist': measured === 'dist' ? 1 : 0,
  'meta.cpus': cpus().length,
  'meta.loadavg_1m_start': round(load, 2),
  'meta.loadavg_1m_end': round(loadavg()[0]!, 2),
  'meta.gc_forced': gcAvailable ? 1 : 0,
  'meta.duration_s': 0,

  'events.throughput_ratio': events.ratio,
  'events.ratio_of_medians': events.ratioOfMedians,
  'events.cpu_time_ratio': events.cpuPairedRatio,
  'events.bare_ops_per_s': events.bareOpsPerS,
  'events.live_ops_per_s': events.liveOpsPerS,
  'events.bare_ns_per_event': events.bareNsPerEvent,
  'events.live_ns_per_event': events.liveNsPerEvent,
  'events.rounds': events.rounds,
  'events.events_per_round': events.eventsPerRound,
  'events.target_met': events.ratio >= TARGETS.throughputRatio ? 1 : 0,

  'swap.tiny.pause_p50_us': round(tiny.pause.p50),
  'swap.tiny.pause_p90_us': round(tiny.pause.p90),
  'swap.tiny.pause_p99_us': round(tiny.pause.p99),
  'swap.tiny.pause_max_us': round(tiny.pause.max),
  'swap.tiny.naive_floor_p50_us': round(tiny.floor.p50),
  'swap.tiny.naive_floor_p99_us': round(tiny.floor.p99),
  'swap.tiny.naive_rearm_floor_p50_us': round(tiny.rearmFloor.p50),
  'swap.tiny.pause_ratio_vs_rearm_floor': tiny.rearmRatio,
  'swap.tiny.pause_ratio': tiny.ratio,
  'swap.tiny.total_p50_us': round(tiny.total.p50),
  'swap.tiny.samples': tiny.pause.n,
  'swap.tiny.target_ratio_met': tiny.ratio <= TARGETS.tinyPauseRatio ? 1 : 0,
  'swap.tiny.target_p99_met': tiny.pause.p99 <= TARGETS.tinyPauseP99Us ? 1 : 0,
};
for (const p of SwapPhases) results[`swap.tiny.phase.${p}_p50_us`] = round(tiny.phases[p]);
for (const s of sized) {
  const k = `swap.${s.label}`;
  results[`${k}.pause_p50_us`] = round(s.pause.p50);
  results[`${k}.pause_p99_us`] = round(s.pause.p99);
  results[`${k}.repeat_pause_p50_us`] = round(s.repeatPause.p50);
  results[`${k}.total_p50_us`] = round(s.total.p50);
  results[`${k}.naive_p50_us`] = round(s.naive.p50);
  results[`${k}.naive_p99_us`] = round(s.naive.p99);
  results[`${k}.pause_ratio`] = s.ratio;
  results[`${k}.state_bytes`] = s.stateBytes;
  results[`${k}.items`] = s.items;
  results[`${k}.samples`] = s.pause.n;
  for (const p of SwapPhases) results[`${k}.phase.${p}_p50_us`] = round(s.phases[p]);
}
Object.assign(results, bigStateResults(big, mass));
// the mass swapAll in a fresh process: as is, and with a smaller young generation (a deployer's flag, not the library's)
for (const [suffix, r] of [['fresh', massFresh], ['semi4', massSemi4]] as const) {
  if (r === undefined) continue;
  results[`mass.swap_10k_ms_${suffix}`] = r['mass.swap_10k_ms']!;
  results[`mass.max_loop_block_ms_${suffix}`] = r['mass.max_loop_block_ms']!;
  results[`mass.gc_max_ms_${suffix}`] = r['mass.gc_max_ms']!;
}
results['reload.heap_growth_mb'] = reload.heapGrowthMb;
results['reload.inprocess_growth_mb'] = reload.inprocessGrowthMb;
results['reload.heap_growth_ratio'] = reload.heapGrowthRatio;
results['reload.reloads'] = plan.reload.reloads;
results['worker.throughput_ratio'] = reload.throughputRatio;
results['worker.ops_per_s'] = reload.workerOpsPerS;
results['worker.inprocess_ops_per_s'] = reload.inprocessOpsPerS;
results['worker.swap_pause_p50_us'] = round(reload.pause.p50);
results['worker.swap_pause_p99_us'] = round(reload.pause.p99);
results['worker.inprocess_swap_pause_p50_us'] = round(reload.inprocessPause.p50);
results['worker.inprocess_swap_pause_p99_us'] = round(reload.inprocessPause.p99);
results['worker.reload_ms'] = reload.reloadMs;
results['worker.reload_stable_ms'] = reload.reloadStableMs;
results['worker.swap_call_ms'] = reload.swapCallMs;
// the plugin server runs examples/plugin-server from the TypeScript sources (tsx), whatever `meta.dist` says
const serverKeys = (server: ServerResult, suffix: string): void => {
  // tiny keeps its historical unsuffixed keys; the padded sizes get `_<label>` on each
  const k = (name: string): string => `server.${name}${server.label === 'tiny' ? '' : `_${server.label}`}${suffix}`;
  results[`server.p99_ratio_${server.label}${suffix}`] = server.p99RatioWarm;
  results[`server.p99_ratio_${server.label}_cold${suffix}`] = server.p99RatioCold;
  results[k('swap_pause_p50_us')] = server.swapPauseP50Us;
  results[k('swap_pause_p99_us')] = server.swapPauseP99Us;
  results[k('swap_block_p50_us')] = server.swapBlockP50Us;
  results[k('swap_block_p99_us')] = server.swapBlockP99Us;
  results[k('swaps')] = server.swapCount;
  results[k('swaps_refused')] = server.swapRefused;
  results[k('quiet_p50_ms')] = server.quiet.warm.p50Ms;
  results[k('quiet_p99_ms')] = server.quiet.warm.p99Ms;
  results[k('swapping_p50_ms')] = server.swaps.warm.p50Ms;
  results[k('swapping_p99_ms')] = server.swaps.warm.p99Ms;
  results[k('cold_quiet_p99_ms')] = server.quiet.cold.p99Ms;
  results[k('cold_swapping_p99_ms')] = server.swaps.cold.p99Ms;
  results[k('requests_per_s')] = server.requestsPerS;
  results[k('main_loop_delay_p99_quiet_ms')] = server.mainLoopDelay.quiet.p99Ms;
  results[k('main_loop_delay_p99_swapping_ms')] = server.mainLoopDelay.swaps.p99Ms;
  results[k('main_loop_delay_max_swapping_ms')] = server.mainLoopDelay.swaps.maxMs;
};
for (const server of servers) serverKeys(server, '');
for (const server of saturated) serverKeys(server, '_saturated');
// over every size: a failed request or a lost/duplicated event anywhere counts
results['server.failed_requests'] = [...servers, ...saturated].reduce((n, s) => n + s.failedRequests, 0);
results['server.lost_or_duplicated'] = [...servers, ...saturated].reduce((n, s) => n + s.lostOrDuplicated, 0);
results['server.runs'] = plan.server.runs;
results['server.rate_per_s'] = plan.server.rate ?? 0;
results['server.runs_saturated'] = plan.serverSaturated.runs;
Object.assign(results, rehearsed);
results['meta.duration_s'] = round((performance.now() - started) / 1000, 1);

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);

// ── table ───────────────────────────────────────────────────────────────────

const rows = [
  ['events: live send vs bare actor.send', `${events.liveOpsPerS.toLocaleString('en')}/s`, `${events.bareOpsPerS.toLocaleString('en')}/s`, events.ratio.toFixed(3), '≥ 0.97', yes(events.ratio >= TARGETS.throughputRatio)],
  ['swap tiny: pause p50 vs naive floor p50', us(tiny.pause.p50), us(tiny.floor.p50), tiny.ratio.toFixed(2), '≤ 2', yes(tiny.ratio <= TARGETS.tinyPauseRatio)],
  ['swap tiny: pause p50 vs naive + re-arm p50', us(tiny.pause.p50), us(tiny.rearmFloor.p50), tiny.rearmRatio.toFixed(2), '', ''],
  ['swap tiny: pause p99 vs naive floor p99', us(tiny.pause.p99), us(tiny.floor.p99), (tiny.pause.p99 / tiny.floor.p99).toFixed(2), '≤ 250 µs', yes(tiny.pause.p99 <= TARGETS.tinyPauseP99Us)],
  ['reload: main heap growth, worker-hosted vs in-process', `${reload.heapGrowthMb.toFixed(2)} MB`, `${reload.inprocessGrowthMb.toFixed(1)} MB`, reload.heapGrowthRatio.toFixed(4), '≤ 0.01', yes(reload.heapGrowthRatio <= 0.01)],
  ['worker: send throughput vs in-process', `${reload.workerOpsPerS.toLocaleString('en')}/s`, `${reload.inprocessOpsPerS.toLocaleString('en')}/s`, reload.throughputRatio.toFixed(3), '', ''],
  ['worker: drained-replacement pause p50 vs in-process', us(reload.pause.p50), us(reload.inprocessPause.p50), (reload.pause.p50 / reload.inprocessPause.p50).toFixed(1), '', ''],
  ['worker: pause p99 vs in-process p99', us(reload.pause.p99), us(reload.inprocessPause.p99), (reload.pause.p99 / reload.inprocessPause.p99).toFixed(1), '', ''],
  ['worker: reload (file written → committed, watchPlugins) p50', `${reload.reloadMs.toFixed(1)} ms`, `stableMs ${reload.reloadStableMs}`, '', '', ''],
  ['worker: swap call → committed p50', `${reload.swapCallMs.toFixed(1)} ms`, '', '', '', ''],
  ...servers.flatMap((server) => [
    [`server ${server.label}: HTTP p99, swap every 100 ms vs none (warmed)`, `${server.swaps.warm.p99Ms.toFixed(2)} ms`, `${server.quiet.warm.p99Ms.toFixed(2)} ms`, server.p99RatioWarm.toFixed(2), '≤ 1.2', yes(server.p99RatioWarm <= 1.2)],
    [`server ${server.label}: same, cold (first 2 s of a fresh process)`, `${server.swaps.cold.p99Ms.toFixed(2)} ms`, `${server.quiet.cold.p99Ms.toFixed(2)} ms`, server.p99RatioCold.toFixed(2), '≤ 1.2', yes(server.p99RatioCold <= 1.2)],
    [`server ${server.label}: in-worker swap pause p50 / p99`, us(server.swapPauseP50Us), us(server.swapPauseP99Us), '', '', ''],
    [`server ${server.label}: the worker's longest stretch per swap (blockUs) p50 / p99`, us(server.swapBlockP50Us), us(server.swapBlockP99Us), '', '', ''],
    [`server ${server.label}: main-thread loop delay p99, swapping vs quiet`, `${server.mainLoopDelay.swaps.p99Ms.toFixed(2)} ms`, `${server.mainLoopDelay.quiet.p99Ms.toFixed(2)} ms`, '', '', ''],
  ]),
  ...saturated.flatMap((server) => [
    [`server ${server.label}, saturated (closed loop, ~${server.requestsPerS.toLocaleString('en')}/s): HTTP p99 warmed`, `${server.swaps.warm.p99Ms.toFixed(2)} ms`, `${server.quiet.warm.p99Ms.toFixed(2)} ms`, server.p99RatioWarm.toFixed(2), '', ''],
    [`server ${server.label}, saturated: same, cold`, `${server.swaps.cold.p99Ms.toFixed(2)} ms`, `${server.quiet.cold.p99Ms.toFixed(2)} ms`, server.p99RatioCold.toFixed(2), '', ''],
  ]),
  ['server: failed requests, lost or duplicated events (every size)', String(results['server.failed_requests']), String(results['server.lost_or_duplicated']), '', '0', yes(results['server.failed_requests'] === 0 && results['server.lost_or_duplicated'] === 0)],
  ...sized.flatMap((s) => [
    [`swap ${s.label} (${bytes(s.stateBytes)}): first pause p50 vs naive p50`, us(s.pause.p50), us(s.naive.p50), s.ratio.toFixed(2), '', ''],
    [`swap ${s.label}: repeat pause p50 (payload frozen)`, us(s.repeatPause.p50), us(s.naive.p50), (s.repeatPause.p50 / s.naive.p50).toFixed(2), '', ''],
  ]),
  ...big.map((b) => [`swap ${b.label}: event-loop block p99 (probe; first and repeat swaps)`, `${b.loopBlock.p99.toFixed(2)} ms`, `naive ${b.naive.p50.toFixed(2)} ms`, '', '≤ 20 ms', b.label === '10mb' ? yes(b.loopBlock.p99 <= 20) : '']),
  ['rehearse 10mb: main-thread block, pool vs inline p50', `${rehearsed['rehearse.10mb.main_block_ms']!.toFixed(1)} ms`, `${rehearsed['rehearse.10mb.inline_ms']!.toFixed(1)} ms`, (rehearsed['rehearse.10mb.main_block_ms']! / rehearsed['rehearse.10mb.inline_ms']!).toFixed(3), '', ''],
  ['rehearse: shadow replay of 1,000 events p50', `${rehearsed['rehearse.replay_1k_events_ms']!.toFixed(2)} ms`, '', '', '', ''],
  ['probation: event throughput on probation vs outside', '', '', rehearsed['probation.overhead_ratio']!.toFixed(3), '', ''],
  [`mass: swapAll of ${mass.instances.toLocaleString('en')}, total p50 / longest loop block`, `${mass.total.p50.toFixed(0)} ms`, `${mass.maxBlock.max.toFixed(1)} ms`, '', '≤ 1 s / ≤ 20 ms', yes(mass.total.p50 <= 1000 && mass.maxBlock.max <= 20)],
  ...([['fresh process', massFresh], ['fresh, --max-semi-space-size=4', massSemi4]] as const).map(([what, r]) =>
    r === undefined
      ? [`mass (${what})`, 'failed', '', '', '', '']
      : [`mass (${what}): total p50 / longest loop block / longest GC`, `${r['mass.swap_10k_ms']} ms`, `${r['mass.max_loop_block_ms']} ms`, `${r['mass.gc_max_ms']} ms`, '', ''],
  ),
];
const phaseRows = [
  ['tiny', ...SwapPhases.map((p) => us(tiny.phases[p])), us(tiny.pause.p50), us(tiny.total.p50)],
  ...sized.map((s) => [s.label, ...SwapPhases.map((p) => us(s.phases[p])), us(s.pause.p50), us(s.total.p50)]),
];
const samples = `samples: events ${events.rounds}×${events.eventsPerRound} each side; tiny ${tiny.pause.n} swaps each side; ${sized.map((s) => `${s.label} ${s.pause.n}`).join(', ')}`;

process.stdout.write(
  [
    '',
    `hotswap bench (${quick ? 'quick' : 'full'}) — node ${process.version}, ${cpus().length} cpus, load ${load.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}, ${results['meta.duration_s']} s`,
    '',
    table(['figure', 'hotswap', 'baseline', 'ratio', 'target', 'met'], rows),
    '',
    'phase p50s (first swap for sized states); pause = quiesce..resume; total = call to report',
    table(['state', ...SwapPhases, 'pause', 'total'], phaseRows),
    '',
    samples,
    `written: ${outFile}`,
    '',
  ].join('\n'),
);
