/**
 * A runtime's pool of rehearsal workers (piscina), for large states: the state half of a rehearsal
 * (migrate, verify, replay) runs off the main thread, so the server keeps serving. Created lazily on
 * the first pooled rehearsal, bounded (`maxThreads`, idle workers exit), closed with the runtime. Two
 * piscina behaviours are gated here: `run()` after `close()` would respawn workers (it is refused
 * with `POOL_CLOSED`), and `destroy()` rejects queued tasks (they are refused with `POOL_CLOSED` too).
 *
 * From the TypeScript sources (tests, `--conditions=source`), or for a `.ts` lineage module, the worker
 * needs tsx's hooks before it imports the task: Node 20 workers do not apply `--import` from
 * `execArgv` first, and piscina loads its task by file name (no evaluated bootstrap, as
 * src/worker/_internal/channel.ts uses), so a one-line bootstrap module is written to the temporary
 * directory for the pool's life and removed when it closes.
 * Pinned by test/swap/rehearse-pool.test.ts.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Piscina } from 'piscina';
import { HotswapError } from '../../errors.ts';
import type { ExamineResult } from './examine.ts';
import type { RehearseTask } from './rehearse-task.ts';

/** Running from the TypeScript sources (tests, `--conditions=source`): the worker loads the task through tsx. */
const fromSource = import.meta.url.endsWith('.ts');
const TS_MODULE = /\.[mc]?tsx?(?:$|\?)/;

export interface PoolOptions {
  /** @defaultValue 1 */
  readonly maxThreads?: number;
  /** @defaultValue 10000 */
  readonly idleTimeoutMs?: number;
}

export class RehearsalPool {
  readonly #options: PoolOptions;
  #pool: Piscina | undefined;
  #closed = false;
  #bootstrap: string | undefined;

  constructor(options: PoolOptions = {}) {
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs one task; `POOL_CLOSED` when the pool was closed before or while it waited. */
  async run(task: RehearseTask, transferList: ArrayBuffer[] = []): Promise<ExamineResult> {
    if (this.#closed) throw closedError();
    const ts = fromSource || TS_MODULE.test(task.module);
    if (this.#pool === undefined) {
      // loaded on the first pooled rehearsal: `import "hotswap"` (and bundles of it) never load piscina
      const Pool = await loadPiscina();
      if (this.#closed) throw closedError();
      if (this.#pool !== undefined) return this.#run(task, transferList);
      const entry = new URL(fromSource ? './rehearse-task.ts' : './rehearse-task.js', import.meta.url).href;
      if (ts) this.#bootstrap = writeBootstrap(entry);
      this.#pool = new Pool({
        filename: this.#bootstrap ?? entry,
        minThreads: 0,
        maxThreads: this.#options.maxThreads ?? 1,
        idleTimeout: this.#options.idleTimeoutMs ?? 10_000,
      });
    }
    return this.#run(task, transferList);
  }

  async #run(task: RehearseTask, transferList: ArrayBuffer[]): Promise<ExamineResult> {
    try {
      return (await this.#pool!.run(task, { transferList })) as ExamineResult;
    } catch (error) {
      if (this.#closed) throw closedError();
      throw error;
    }
  }

  /** Closes the pool: running and queued tasks are refused, and no worker starts again. */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
    if (this.#bootstrap !== undefined) rmSync(this.#bootstrap, { force: true });
    this.#bootstrap = undefined;
  }
}

let bootstraps = 0;

/** A module that registers tsx's ESM hooks, then re-exports the task: the file piscina's workers load. */
function writeBootstrap(task: string): string {
  // tsx's ESM API (its `import` build: the `require` one resolves its own hooks wrongly from a worker)
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const file = join(tmpdir(), `hotswap-rehearse-${process.pid}-${++bootstraps}.mjs`);
  writeFileSync(file, `const { register } = await import(${JSON.stringify(api)});\nregister();\nexport default (await import(${JSON.stringify(task)})).default;\n`);
  return file;
}

const closedError = (): HotswapError => new HotswapError('POOL_CLOSED', 'The rehearsal pool is closed (its runtime was stopped); the rehearsal did not run');

/** piscina, an optional peer dependency: only pooled rehearsals need it; missing, a typed `POOL_PISCINA_MISSING`. */
async function loadPiscina(): Promise<typeof Piscina> {
  try {
    return (await import('piscina')).Piscina;
  } catch (error) {
    throw new HotswapError('POOL_PISCINA_MISSING', 'A pooled rehearsal (rehearseInPool) needs the `piscina` package: run `npm install piscina`, or use rehearse() inline', { cause: error });
  }
}
