/**
 * A bounded HTTP load generator for the plugin server: `connections` keep-alive connections (a
 * `node:http` Agent) sending `GET /hit?client=…` until `maxRequests` were sent, `maxMs` passed or
 * `stop()` was called. Closed loop by default (each connection sends its next request when the last
 * one is answered: as many requests as the server can take); with `rate`, open loop (requests start on
 * a fixed schedule whatever the answers, waiting for a free connection when all are busy, so a
 * server that stalls is measured by every request that waited, not by the few that were in flight).
 * Every request's start and end are taken with `performance.now()` (sub-millisecond), so latencies
 * can be split by what happened meanwhile.
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly maxRequests: number;
  readonly maxMs: number;
  /** Client names, picked in turn. */
  readonly clients: readonly string[];
  /** Per-request timeout (ms); a timeout is a failure. @defaultValue 10000 */
  readonly timeoutMs?: number;
  /**
   * Requests per second, open loop: request `i` is due at `i / rate` s and starts then (or as soon
   * after as the timer fires, ≤ ~1 ms); its latency counts from there, the wait for a free connection
   * included. Without it: closed loop, as fast as answers come.
   */
  readonly rate?: number;
}

/** One request: start and end on the `performance.now()` clock, HTTP status (0 = no answer). */
export interface Sample {
  readonly start: number;
  readonly end: number;
  readonly status: number;
  /** The version that decided (from the body), when answered 200 or 429. */
  readonly version?: number;
  readonly error?: string;
}

export interface Load {
  readonly samples: readonly Sample[];
  /** Requests sent so far. */
  readonly sent: number;
  stop(): void;
  /** Resolves when every connection has finished its last request. */
  readonly done: Promise<readonly Sample[]>;
}

function hit(agent: Agent, url: URL, timeoutMs: number): Promise<Omit<Sample, 'start' | 'end'>> {
  return new Promise((resolve) => {
    const req = request(url, { agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        try {
          const parsed = JSON.parse(body) as { version?: number; error?: string };
          resolve({ status, ...(parsed.version !== undefined ? { version: parsed.version } : {}), ...(parsed.error !== undefined ? { error: parsed.error } : {}) });
        } catch {
          resolve({ status, error: `unparsable body: ${body.slice(0, 80)}` });
        }
      });
      res.on('error', (e) => resolve({ status: 0, error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ status: 0, error: e.message }));
    req.end();
  });
}

/** Starts the load; see {@link LoadOptions}. */
export function startLoad(o: LoadOptions): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const samples: Sample[] = [];
  const t0 = performance.now();
  let sent = 0;
  let stopped = false;
  const more = (): boolean => !stopped && sent < o.maxRequests && performance.now() - t0 < o.maxMs;
  const one = async (k: number): Promise<void> => {
    const n = sent++;
    const url = new URL(`/hit?client=${o.clients[(n + k) % o.clients.length]}`, o.url);
    const start = performance.now();
    const r = await hit(agent, url, o.timeoutMs ?? 10_000);
    samples.push({ start, end: performance.now(), ...r });
  };
  const closed = async (k: number): Promise<void> => {
    while (more()) await one(k);
  };
  // open loop: every request due by now starts now; the agent queues those no connection is free for
  const open = async (rate: number): Promise<void> => {
    const inFlight = new Set<Promise<void>>();
    while (more()) {
      const due = Math.min(o.maxRequests, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      while (sent < due && more()) {
        const p = one(0).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, ((sent * 1000) / rate) - (performance.now() - t0))));
    }
    await Promise.all(inFlight);
  };
  const done = (o.rate === undefined ? Promise.all(Array.from({ length: o.connections }, (_, k) => closed(k))) : open(o.rate)).then(() => {
    agent.destroy();
    return samples;
  });
  return {
    samples,
    get sent() {
      return sent;
    },
    stop: () => void (stopped = true),
    done,
  };
}

/** The `q` quantile (0..1) of `xs`, nearest rank; NaN when empty. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
