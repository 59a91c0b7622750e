/**
 * Real crashes for the journal and store tests: a writer script runs as its own process and is
 * killed with SIGKILL at a random point, as a user's server would die.
 *
 * The script is bundled once with esbuild (tsx's own transformer), so each of the dozens of child
 * processes starts as plain `node` in ~0.1 s instead of ~0.5 s through the tsx loader.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { seed, soak } from './fc.ts';

/** Bundles `entry` (a path) with the sources it imports into one ESM file; returns the file. */
export async function bundleWriter(entry: string): Promise<string> {
  const outfile = join(await mkdtemp(join(tmpdir(), 'hotswap-writer-')), 'writer.mjs');
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', conditions: ['source'], logLevel: 'error' });
  return outfile;
}

/** How a writer process ended. */
export interface WriterRun {
  /** The lines it printed to stdout before it ended (what it acknowledged). */
  readonly lines: readonly string[];
  readonly killed: boolean;
  readonly code: number | null;
  readonly stderr: string;
}

/** When {@link runWriter} kills its writer. */
export interface KillPoint {
  /** Arm once the writer has printed this many lines (`Infinity`: let it run to its end). */
  readonly afterLines: number;
  /** Then wait this long. */
  readonly afterMs: number;
  /**
   * Then, if given, poll this in a tight loop (up to 250 ms) and kill as soon as it holds: aims the
   * kill at a moment such as "mid-write", a window of a millisecond that a random delay rarely hits.
   */
  readonly when?: () => boolean;
}

/**
 * Runs `node <script> ...args` and kills it with SIGKILL at `kill`. Stdout to a pipe is written
 * synchronously on Linux, so a line printed before the kill is never lost.
 */
export function runWriter(script: string, args: readonly string[], kill: KillPoint, timeoutMs = 15_000): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let armed = false;
    let killed = false;
    let exited = false;
    const sigkill = (): void => {
      if (!exited) killed = killed || child.kill('SIGKILL');
    };
    const aim = (when: () => boolean): void => {
      const until = performance.now() + 250;
      while (performance.now() < until && !when()) {
        // spin: an await here would miss the window
      }
      sigkill();
    };
    const guard = setTimeout(sigkill, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!armed && out.split('\n').length - 1 >= kill.afterLines) {
        armed = true;
        const when = kill.when;
        setTimeout(() => (when === undefined ? sigkill() : aim(when)), kill.afterMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
    child.on('error', reject);
    child.on('exit', () => void (exited = true));
    child.on('close', (code) => {
      clearTimeout(guard);
      const lines = out.split('\n');
      lines.pop(); // what follows the last newline was never a whole line
      resolve({ lines, killed, code, stderr });
    });
  });
}

/** How many kills a crash test makes: a bounded count in CI, more under `HOTSWAP_SOAK=1`. */
export const KILLS = soak ? 200 : 24;

/** Room for up to 3 × {@link KILLS} writer runs on a loaded machine. */
export const CRASH_TEST_TIMEOUT_MS = 60_000 + 3 * KILLS * 1_000;

/** The seed of the kill points: the project's `FC_SEED`. */
export const KILL_SEED = seed;
