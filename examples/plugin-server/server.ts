/**
 * The plugin server: a `node:http` server on loopback whose every request is decided by a rate limiter
 * hosted in a worker (`hostInWorker`), kept at the newest version a watched plugins directory holds
 * (`watchPlugins`). Used by `npm run demo`, by `npm run example:plugin-server` (main.ts) and by
 * bench/server.ts.
 *
 * `GET /hit?client=<name>` → 200 `{ seq, admitted: true, version }` or 429 `{ seq, admitted: false,
 * version }`; `GET /stats` → the limiter's counters and version. The server numbers each request as it
 * accepts it and sends `REQUEST { seq, client }` to the worker; the answer comes from the decisions in
 * the mirrored snapshot (`context.recent`), so a request is answered only after the component — the
 * version that was serving at that moment — processed it. Requests arriving during a swap are held
 * (on the main thread) and decided by whichever version wins.
 *
 * With `probation`, every swap the watcher makes is on probation (`swap: { probation: { ms, health } }`):
 * the old worker is kept paused for the window, and the server's health check — a version that
 * answers every request with 429 across refills of its buckets is failing — rolls it back. How each
 * probation ended is the watcher's `probation-ended` event, passed to `onEvent` like the others. On a rollback
 * the old worker resumes from its state at the commit and every request accepted since is redelivered
 * to it: the requests the failed version already answered keep their answers (a side effect a rollback
 * does not undo) and are counted once more by the old version's state, where each is counted once;
 * the requests still waiting are answered by the old version.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Envelope, FileJournal, type ProbationCause } from '../../src/index.ts';
import { type PluginEvent, type PluginWatcher, watchPlugins } from '../../src/plugin/index.ts';
import { hostInWorker, type WorkerComponent } from '../../src/worker/index.ts';
import type { Decision, LimiterEvent, SeqCheck } from './limiter.ts';

export interface PluginServerOptions {
  /** The watched plugins directory (its files import `../limiter.ts`, so it sits next to it). */
  readonly pluginsDir: string;
  /** Where swap attempts are journalled (JSON lines). */
  readonly journalFile: string;
  /** Port on 127.0.0.1. @defaultValue 0 (any free port) */
  readonly port?: number;
  /** Receives every plugin event. */
  readonly onEvent?: (event: PluginEvent) => void;
  /** The watcher's stability window (ms). @defaultValue 100 */
  readonly stableMs?: number;
  /** The module the worker starts from. @defaultValue limiter.ts (v1) */
  readonly module?: URL;
  /** The version to start. @defaultValue the module's newest */
  readonly version?: number;
  /**
   * Put every swap on probation for `ms`, with the server's health check ({@link REFILLS_WITHOUT_ADMIT}).
   * @defaultValue no probation
   */
  readonly probation?: { readonly ms: number };
  /** A state to start from (e.g. bench/server.ts's padded limiter). @defaultValue a fresh start */
  readonly envelope?: Envelope;
}

/**
 * The server's health check fails a version that answered at least {@link THROTTLED_AT_LEAST} requests
 * in a row with 429 while its buckets were refilled {@link REFILLS_WITHOUT_ADMIT} times. A sound limiter
 * cannot: a batch of requests is decided between two refills (the worker runs it in one go), and after a
 * refill each client's next request is admitted — so this holds whatever the load or the machine.
 */
export const REFILLS_WITHOUT_ADMIT = 2;
/** See {@link REFILLS_WITHOUT_ADMIT}. */
export const THROTTLED_AT_LEAST = 20;

/** Why a probation failed, in one line: `health: v4 answered …`, `actor-error: TypeError: …`. */
export function causeText(c: ProbationCause): string {
  const what = c.kind === 'health' ? c.reason : c.kind === 'invariant' ? c.violations.join('; ') : c.kind === 'actor-finished' ? `status '${c.status}'` : `${c.error.name}: ${c.error.message}`;
  return `${c.kind}: ${what}`;
}

/** The counters the limiter keeps, as the server last saw them. */
export interface LimiterStats extends SeqCheck {
  readonly version: number;
}

export interface PluginServer {
  readonly url: string;
  readonly limiter: WorkerComponent<LimiterEvent>;
  readonly watcher: PluginWatcher;
  readonly journal: FileJournal;
  /** Requests numbered so far (= events accepted by the component). */
  readonly accepted: number;
  /** Requests waiting for their decision. */
  readonly waiting: number;
  stats(): LimiterStats;
  close(): Promise<void>;
}

const COMPONENT = new URL('./limiter.ts', import.meta.url);

/** Starts the limiter's worker (v1), the watcher and the HTTP server. */
export async function startPluginServer(options: PluginServerOptions): Promise<PluginServer> {
  const journal = new FileJournal(options.journalFile);
  const limiter = await hostInWorker<LimiterEvent>({
    module: options.module ?? COMPONENT,
    component: 'rate-limiter',
    journal,
    mailboxCapacity: 1 << 16,
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.envelope !== undefined ? { envelope: options.envelope } : {}),
  });
  const waiting = new Map<number, ServerResponse>();
  let accepted = 0;
  // per version: its 429s answered since it last admitted a request, and the refill counts then
  const streak = new Map<number, { throttled: number; from: number; to: number }>();

  const answer = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const tally = (version: number, admitted: boolean, refills: number): void => {
    const s = streak.get(version);
    if (admitted) streak.delete(version);
    else if (s === undefined) streak.set(version, { throttled: 1, from: refills, to: refills });
    else streak.set(version, { throttled: s.throttled + 1, from: s.from, to: refills });
  };
  const health = (): string | undefined => {
    const v = limiter.version;
    const s = streak.get(v);
    if (s === undefined || s.throttled < THROTTLED_AT_LEAST || s.to - s.from < REFILLS_WITHOUT_ADMIT) return undefined;
    return `v${v} answered its last ${s.throttled} requests with 429, admitting none through ${s.to - s.from} refills of every bucket`;
  };
  const settle = (recent: readonly Decision[], lastSeq: number, refills: number): void => {
    for (const [seq, ok, version] of recent) {
      const res = waiting.get(seq);
      if (res === undefined) continue;
      waiting.delete(seq);
      tally(version, ok === 1, refills);
      answer(res, ok === 1 ? 200 : 429, { seq, admitted: ok === 1, version });
    }
    // processed, but its decision already left `recent`: say so rather than guess
    for (const [seq, res] of waiting) {
      if (seq > lastSeq) break;
      waiting.delete(seq);
      answer(res, 500, { seq, error: 'decided, but the decision was not mirrored' });
    }
  };
  const sub = limiter.subscribe((s) => {
    const c = s.context as { recent: Decision[]; seq: SeqCheck; refills: number };
    settle(c.recent, c.seq.lastSeq, c.refills);
  });

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/stats') return answer(res, 200, stats());
    if (url.pathname !== '/hit') return answer(res, 404, { error: `no route ${url.pathname}` });
    const client = url.searchParams.get('client') ?? 'anonymous';
    const seq = accepted + 1;
    const sent = limiter.trySend({ type: 'REQUEST', seq, client });
    if (!sent.ok) return answer(res, 503, { error: sent.error.message });
    accepted = seq;
    waiting.set(seq, res);
  };
  const stats = (): LimiterStats => ({ ...(limiter.getSnapshot().context as { seq: SeqCheck }).seq, version: limiter.version });

  const server: Server = createServer({ keepAlive: true }, handle);
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const onEvent = (e: PluginEvent): void => {
    // a version number used again (a fixed v4 after a rolled-back one) starts afresh
    if (e.type === 'probation-ended') streak.delete(e.to);
    options.onEvent?.(e);
  };
  const swap = options.probation === undefined ? {} : { swap: { probation: { ms: options.probation.ms, health } } };
  const watcher = watchPlugins(options.pluginsDir, { component: limiter, stableMs: options.stableMs ?? 100, onEvent, ...swap });
  await watcher.ready;
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    limiter,
    watcher,
    journal,
    get accepted() {
      return accepted;
    },
    get waiting() {
      return waiting.size;
    },
    stats,
    async close() {
      await watcher.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      sub.unsubscribe();
      await limiter.stop();
    },
  };
}
