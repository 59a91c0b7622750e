/**
 * One worker and the main thread's end of its port: spawning (from dist/ as plain JavaScript, from
 * src/ or for a `.ts` hosted module through tsx), waiting for a reply or the worker's death,
 * telling a crash from an exit we asked for, staggered termination, and a serving worker's start.
 * Pinned by test/worker/api.test.ts (start failures), crash.test.ts and old-code-released.test.ts.
 *
 * Why the tsx bootstrap: Node 20 workers do not run `--import tsx` from `execArgv` before their main
 * module, so a `.ts` entry fails with ERR_UNKNOWN_FILE_EXTENSION. A small evaluated bootstrap
 * registers tsx's ESM hooks inside the worker first, then imports the entry.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import type { Blocker } from '../../blockers/blocker.ts';
import { type ErrorCode, HotswapError } from '../../errors.ts';
import type { HostOptions } from '../types.ts';
import type { CheckpointState, FromWorker, HostedSnapshot, ToWorker, WireSnapshot, WorkerError, WorkerInit } from './protocol.ts';
import { DeltaDecoder, type Wire } from './delta.ts';

/** Running from the TypeScript sources (tests, `--conditions=source`) rather than dist/. */
const fromSource = import.meta.url.endsWith('.ts');
const entry = new URL(fromSource ? './entry.ts' : './entry.js', import.meta.url);
const TS_MODULE = /\.[mc]?tsx?(?:$|\?)/;

/** tsx's ESM API (its `import` build: the `require` one resolves its own hooks wrongly from a worker). */
function tsxApi(): string {
  const required = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(required.replace(/index\.cjs$/, 'index.mjs')).href;
}

/**
 * The parent's `execArgv` a worker can take, without tsx loader flags: inherited, they would load tsx
 * in every worker (~1 s under load, for nothing: Node 20 does not apply them to a worker's main module)
 * — the bootstrap registers tsx itself when the worker needs it. V8 and per-process flags
 * (`--expose-gc`, `--max-old-space-size`, …) are refused in a worker's `execArgv`, so only module
 * and warning flags are kept.
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  const keep = /^(?:--(?:conditions|import|require|loader|experimental-loader|enable-source-maps|no-warnings|no-deprecation|input-type)|-C|-r)(?:=|$)/;
  const takesValue = /^(?:--(?:conditions|import|require|loader|experimental-loader|input-type)|-C|-r)$/;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = takesValue.test(a) ? argv[++i] : undefined;
    if (!keep.test(a) || /tsx/.test(value ?? a)) continue;
    out.push(a, ...(value === undefined ? [] : [value]));
  }
  return out;
}

/** The `workerData` of a worker for a component hosted with `options`. */
export function workerInit(options: HostOptions, init: Omit<WorkerInit, 'component' | 'checkpointMs' | 'checkpointEvents'>): WorkerInit {
  const c = options.checkpoint;
  return { component: options.component, checkpointMs: c?.everyMs ?? 100, checkpointEvents: c?.everyEvents ?? 1000, ...init };
}

/** How a worker ended without being asked to: what it threw, or its exit code. */
export interface Crash {
  readonly error: WorkerError;
  readonly exitCode: number;
}

/** Gap between two terminations: terminating many workers at once can stall the process in GC. */
export const TERMINATE_GAP_MS = 10;
let terminations: Promise<void> = Promise.resolve();

export class Channel {
  readonly worker: Worker;
  /** Resolves when the worker is gone: with the crash, or `undefined` after {@link Channel.terminate}. */
  readonly gone: Promise<Crash | undefined>;
  #asked = false;
  #error: WorkerError | undefined;
  #listeners = new Set<(m: FromWorker) => void>();
  #terminated: Promise<void> | undefined;
  #exited = false;
  /** Snapshot contexts and checkpoints arrive as changes to the last ones (delta.ts): rebuilt here, per port. */
  readonly #contexts = new DeltaDecoder();
  readonly #checkpoints = new DeltaDecoder();

  constructor(init: WorkerInit, resourceLimits: ResourceLimits | undefined) {
    const options = { workerData: init, execArgv: workerExecArgv(), ...(resourceLimits === undefined ? {} : { resourceLimits }) };
    if (fromSource || TS_MODULE.test(init.module)) {
      const code = `import(${JSON.stringify(tsxApi())}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
      this.worker = new Worker(code, { ...options, eval: true });
    } else {
      this.worker = new Worker(entry, options);
    }
    this.worker.on('message', (wire: FromWorker) => {
      const m = this.#rebuilt(wire);
      for (const l of this.#listeners) l(m);
    });
    this.worker.on('error', (error: Error & { code?: string }) => {
      this.#error = { name: error.name, message: error.message, ...(typeof error.code === 'string' ? { code: error.code } : {}) };
    });
    this.gone = new Promise((resolve) => {
      this.worker.once('exit', (exitCode) => {
        this.#exited = true;
        this.#listeners.clear();
        resolve(this.#asked ? undefined : { error: this.#error ?? { name: 'WorkerExit', message: `worker exited with code ${exitCode}` }, exitCode });
      });
    });
  }

  /** `wire` with its snapshot's context and its checkpoint rebuilt from the changes it carries. */
  #rebuilt(wire: FromWorker): FromWorker {
    if ('snapshot' in wire) {
      const s = wire.snapshot as unknown as WireSnapshot;
      return { ...wire, snapshot: { ...s, context: this.#contexts.decode(s.context) } satisfies HostedSnapshot };
    }
    if (wire.t === 'checkpoint') return { ...wire, state: this.#checkpoints.decode(wire.state as unknown as Wire) as CheckpointState };
    return wire;
  }

  /** The worker has exited (crashed or terminated): nothing posted to it now is processed. */
  get exited(): boolean {
    return this.#exited;
  }

  post(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  /** Calls `listener` for every message until the worker is gone. */
  listen(listener: (m: FromWorker) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The first message `match` maps to a value, or the crash if the worker dies first, or `timeout`
   * after `ms`. The listener and the timer are removed whichever wins.
   */
  until<T>(match: (m: FromWorker) => T | undefined, ms: number): Promise<{ ok: true; value: T } | { ok: false; crash: Crash | undefined; timeout: boolean }> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: { ok: true; value: T } | { ok: false; crash: Crash | undefined; timeout: boolean }): void => {
        if (done) return;
        done = true;
        off();
        clearTimeout(timer);
        resolve(r);
      };
      const off = this.listen((m) => {
        const v = match(m);
        if (v !== undefined) finish({ ok: true, value: v });
      });
      const timer = setTimeout(() => finish({ ok: false, crash: undefined, timeout: true }), ms);
      void this.gone.then((crash) => finish({ ok: false, crash, timeout: false }));
    });
  }

  /**
   * Posts a request and resolves to the worker's reply: rejects with the worker's typed error, or
   * `COMPONENT_CRASHED` when the worker ends (or says nothing for `ms`) before answering.
   */
  async ask(m: ToWorker & { readonly id: number }, ms: number, component: string): Promise<unknown> {
    this.post(m);
    const r = await this.until((x) => (x.t === 'reply' && x.id === m.id ? x : undefined), ms);
    if (!r.ok) throw new HotswapError('COMPONENT_CRASHED', `Worker of '${component}' ended before answering: ${r.crash?.error.message ?? 'timeout'}`, { details: { component } });
    if (!r.value.ok) throw new HotswapError((r.value.error.code as ErrorCode | undefined) ?? 'INVALID_ARGUMENT', r.value.error.message, { details: r.value.error.details ?? {} });
    return r.value.value;
  }

  /** Terminates the worker, one termination at a time with a gap between them. Not a crash. */
  terminate(): Promise<void> {
    this.#asked = true;
    this.#terminated ??= terminations = terminations.then(async () => {
      await this.worker.terminate();
      await new Promise((resolve) => setTimeout(resolve, TERMINATE_GAP_MS));
    });
    return this.#terminated;
  }
}

/** How a serving worker's start ended: its channel and first snapshot, or why it did not start. */
export type ServingStart =
  | { readonly ok: true; readonly channel: Channel; readonly ready: Extract<FromWorker, { t: 'ready' }> }
  | { readonly ok: false; readonly phase: 'load' | 'start'; readonly error: WorkerError; readonly blockers: readonly Blocker[] };

/** Spawns a serving worker and waits, up to `timeoutMs`, until it is ready; terminates it if it fails. */
export async function startServing(init: WorkerInit, resourceLimits: ResourceLimits | undefined, timeoutMs: number): Promise<ServingStart> {
  const ch = new Channel(init, resourceLimits);
  const r = await ch.until((m) => (m.t === 'ready' || m.t === 'failed' ? m : undefined), timeoutMs);
  if (!r.ok || r.value.t === 'failed') {
    await ch.terminate();
    if (r.ok && r.value.t === 'failed') return { ok: false, phase: r.value.phase, error: r.value.error, blockers: r.value.blockers };
    return { ok: false, phase: 'start', error: (!r.ok ? r.crash?.error : undefined) ?? { name: 'TimeoutError', message: `no answer within ${timeoutMs} ms` }, blockers: [] };
  }
  return { ok: true, channel: ch, ready: r.value };
}
