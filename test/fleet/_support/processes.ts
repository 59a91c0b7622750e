/**
 * Agent processes for the multi-process fleet tests and the fleet benchmark: the agent script bundled
 * once with esbuild (a child starts as plain `node` in ~0.1 s instead of ~0.5 s through tsx), `pg` left
 * external and resolved from this repository's node_modules, where the bundle is written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundles the agent script; returns its path (inside node_modules/.cache, so `pg` resolves). */
export async function bundleAgent(): Promise<string> {
  const dir = `${root}node_modules/.cache/hotswap-fleet`;
  await mkdir(dir, { recursive: true });
  const outfile = `${dir}/agent-${process.pid}-${Date.now()}.mjs`;
  await build({ entryPoints: [fileURLToPath(new URL('./agent-process.ts', import.meta.url))], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', conditions: ['source'], external: ['pg', 'pg-native'], logLevel: 'error' });
  return outfile;
}

/** A running agent process. */
export interface AgentProcess {
  readonly agentId: string;
  readonly child: ChildProcess;
  /** Asks it to stop sending, check G1 and report; resolves to its report. */
  finish(): Promise<AgentReport>;
  /** Restarts its event-loop delay measurement. */
  mark(): void;
  kill(): void;
}

/** What an agent process reports when finished. */
export interface AgentReport {
  readonly agentId: string;
  readonly instances: readonly { id: string; version: number; sent: number; lost: number; duplicated: number; outOfOrder: number }[];
  readonly recorded: number;
  readonly maxLoopBlockMs: number;
  /** The longest stretch of the agent's own CPU work between two turns of a 1 ms timer (not OS scheduling). */
  readonly maxCpuBlockMs: number;
  readonly p99LoopDelayMs: number;
  /** The same, counting only the main thread's CPU (Linux /proc/thread-self/schedstat); -1 where unmeasured. */
  readonly maxMainThreadCpuBlockMs: number;
  /** An upper bound on the main thread's own non-GC work in any probe interval: min(CPU, wall) − GC pauses in it. */
  readonly maxMainBlockExGcMs: number;
  /** The longest GC pause V8 reported (`gc` performance entries). */
  readonly maxGcPauseMs: number;
  /** The interval with the most CPU: its CPU, wall and GC pause time, and the kinds of GC in it (1 minor, 2 major, 4 incremental, 8 weak callbacks). */
  readonly worstCpuInterval: { cpuMs: number; wallMs: number; gcMs: number; gcKinds: number[] };
  readonly roundTrips: number;
}

/** Starts an agent process (`nodeArgs` before the script, e.g. `--cpu-prof`) and waits (bounded) until it has registered. */
export function startAgentProcess(script: string, args: Record<string, string>, timeoutMs = 20_000, nodeArgs: readonly string[] = []): Promise<AgentProcess> {
  const child = spawn(process.execPath, [...nodeArgs, script, ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, v])], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout! });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => void (stderr += d));
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000); // never outlive a hung test
  guard.unref();
  child.on('exit', () => clearTimeout(guard));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent ${args['agent']} not ready after ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => reject(new Error(`agent ${args['agent']} exited (${code}) before ready: ${stderr}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      if (line !== 'ready') return reject(new Error(`agent said ${line}: ${stderr}`));
      resolve({
        agentId: args['agent']!,
        child,
        kill: () => void child.kill('SIGKILL'),
        mark: () => void child.stdin!.write('mark\n'),
        finish: () =>
          new Promise<AgentReport>((res, rej) => {
            const t = setTimeout(() => {
              child.kill('SIGKILL');
              rej(new Error(`agent ${args['agent']} did not finish: ${stderr}`));
            }, timeoutMs);
            lines.once('line', (l) => {
              clearTimeout(t);
              res(JSON.parse(l) as AgentReport);
            });
            child.stdin!.write('finish\n');
          }),
      });
    });
  });
}
