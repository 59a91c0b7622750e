/**
 * A bounded HTTP load generator for the plugin server: `connections` keep-alive connections (a
 * `node:http` Agent), each sending `GET /hit?client=…` one after the other until `maxRequests` were
 * sent, `maxMs` passed or `stop()` was called. Every request's start and end are taken with
 * `performance.now()` (sub-millisecond), so latencies can be split by what happened meanwhile.
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
  const loop = async (k: number): Promise<void> => {
    while (!stopped && sent < o.maxRequests && performance.now() - t0 < o.maxMs) {
      const n = sent++;
      const url = new URL(`/hit?client=${o.clients[(n + k) % o.clients.length]}`, o.url);
      const start = performance.now();
      const r = await hit(agent, url, o.timeoutMs ?? 10_000);
      samples.push({ start, end: performance.now(), ...r });
    }
  };
  const done = Promise.all(Array.from({ length: o.connections }, (_, k) => loop(k))).then(() => {
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
