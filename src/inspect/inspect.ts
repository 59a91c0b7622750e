/**
 * `inspect(runtime, options)`: a live inspector page for a runtime, served on loopback. It shows each
 * live component (version, status, mailbox, ledger with remaining times, in-flight work, leases) and
 * a timeline of swaps (phases as bars, held events, outcome, blockers), updated live over Server-Sent
 * Events. It reads the runtime's public API and the diagnostics channels only, so it needs nothing of
 * the swap internals. Actions (swap, revert) need the token printed at start. Pinned by
 * test/inspect/inspector.test.ts and test/inspect/inspector.browser.test.ts (Chromium).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HotswapError, shown } from '../errors.ts';
import type { LiveComponent } from '../runtime/component.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { componentView, type ContextView } from './_internal/model.ts';
import { PAGE } from './_internal/page.ts';
import { swapTimeline } from './_internal/timeline.ts';

/** Options of {@link inspect}. */
export interface InspectOptions {
  /** TCP port; 0 picks a free one. @defaultValue 0 */
  readonly port?: number;
  /**
   * The address to bind. Anything but loopback exposes component state to the network: it must be
   * asked for by name. @defaultValue '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Whether the page shows components' context: `false` (state value, ledger and versions only),
   * `true`, or a function returning what to show instead (a redaction). @defaultValue false
   */
  readonly context?: ContextView;
  /** Whether the page offers swap and revert (each needs the token). @defaultValue true */
  readonly actions?: boolean;
  /** Swap attempts kept in the timeline. @defaultValue 100 */
  readonly history?: number;
  /** Where the start line (URL and token) goes. @defaultValue a line on stderr */
  readonly log?: (line: string) => void;
  /** The action token. @defaultValue 24 random bytes, base64url */
  readonly token?: string;
}

/** A running inspector. */
export interface Inspector {
  /** The page's address, without the token (`http://127.0.0.1:PORT/`). */
  readonly url: string;
  readonly port: number;
  /** What a swap or revert request must carry, as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** Stops serving, ends live streams and unsubscribes from the channels. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function checkOptions(o: InspectOptions): void {
  if (typeof o !== 'object' || o === null) throw new HotswapError('INVALID_ARGUMENT', `Expected \`options\` to be an object or absent, got ${shown(o)}`);
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`port\` to be an integer from 0 to 65535, got ${shown(o.port)}`);
  }
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host.length === 0)) throw new HotswapError('INVALID_ARGUMENT', `Expected \`host\` to be an address, got ${shown(o.host)}`);
  if (o.context !== undefined && typeof o.context !== 'boolean' && typeof o.context !== 'function') {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`context\` to be a boolean or a function, got ${shown(o.context)}`);
  }
  if (o.history !== undefined && (!Number.isInteger(o.history) || o.history < 1)) throw new HotswapError('INVALID_ARGUMENT', `Expected \`history\` to be a positive integer, got ${shown(o.history)}`);
  if (o.token !== undefined && (typeof o.token !== 'string' || o.token.length < 16)) throw new HotswapError('INVALID_ARGUMENT', 'Expected `token` to be a string of at least 16 characters');
}

/**
 * Serves a live inspector page for `runtime` on loopback and prints its address and action token.
 *
 * @example
 * const inspector = await inspect(runtime, { port: 4719 });
 * // hotswap inspector: http://127.0.0.1:4719/#token=… (actions need the token)
 * await inspector.close();
 */
export async function inspect(runtime: Runtime, options: InspectOptions = {}): Promise<Inspector> {
  if (typeof runtime?.components !== 'function') throw new HotswapError('INVALID_ARGUMENT', `Expected \`runtime\` to be a runtime from \`createRuntime()\`, got ${shown(runtime)}`);
  checkOptions(options);
  const host = options.host ?? '127.0.0.1';
  const context = options.context ?? false;
  const actions = options.actions ?? true;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const streams = new Set<ServerResponse>();
  const watched = new Map<LiveComponent<any>, { unsubscribe(): void }>();

  const owns = (instance: string): boolean => runtime.components().some((c) => c.id === instance);
  let pending: NodeJS.Timeout | undefined;
  /** Coalesces bursts of changes (a swap, a stream of events) into one push every 50 ms at most. */
  const changed = (): void => {
    if (pending !== undefined || streams.size === 0) return;
    pending = setTimeout(() => {
      pending = undefined;
      push();
    }, 50);
  };
  const timeline = swapTimeline({ owns, limit: options.history ?? 100, changed });
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  try {
    // the attempts made before the page opened, where the journal can list them
    timeline.seed(await runtime.journal.entries());
  } catch (error) {
    log(`hotswap inspector: the journal could not be read, so the timeline starts now (${error instanceof Error ? error.message : String(error)})`);
  }

  const model = () => {
    const components = runtime.components();
    // subscribe to components started since the last look, forget stopped ones
    for (const c of components) if (!watched.has(c)) watched.set(c, c.subscribe({ next: changed, error: changed }));
    for (const [c, sub] of watched) {
      if (!components.includes(c)) {
        sub.unsubscribe();
        watched.delete(c);
      }
    }
    return { at: Date.now(), actions, contextShown: context !== false, components: components.map((c) => componentView(c, context)), swaps: timeline.records() };
  };
  const push = (): void => {
    if (streams.size === 0) return;
    const data = `event: model\ndata: ${JSON.stringify(model())}\n\n`;
    for (const res of streams) res.write(data);
  };
  // remaining times move on without any event: refresh them every second while someone watches
  const tick = setInterval(() => push(), 1000);
  tick.unref();

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
      else res.end();
    });
  });

  let port = 0;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A page elsewhere may point a name it controls at 127.0.0.1 (DNS rebinding): only our own names pass.
    const hostHeader = req.headers.host ?? '';
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(hostHeader);
    const name = m?.[1] ?? m?.[2] ?? '';
    if (m === null || !(LOOPBACK.has(name) || name === host) || Number(m[3]) !== port) {
      return json(res, 403, { code: 'FORBIDDEN_HOST', message: `Host '${hostHeader}' is not this inspector's address` });
    }
    const url = new URL(req.url ?? '/', `http://${hostHeader}`);
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY', 'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:" });
      res.end(PAGE);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/model') return json(res, 200, model());
    if (req.method === 'GET' && url.pathname === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      streams.add(res);
      req.on('close', () => streams.delete(res));
      res.write(`event: model\ndata: ${JSON.stringify(model())}\n\n`);
      return;
    }
    if (req.method === 'POST' && (url.pathname === '/api/swap' || url.pathname === '/api/revert')) {
      if (!actions) return json(res, 403, { code: 'ACTIONS_DISABLED', message: 'This inspector was started with `actions: false`' });
      if (!authorized(req)) return json(res, 401, { code: 'UNAUTHORIZED', message: 'Swap and revert need the token the inspector printed at start, as `Authorization: Bearer <token>`' });
      const body = await readJson(req);
      if (body === undefined) return json(res, 400, { code: 'INVALID_ARGUMENT', message: 'Expected a JSON body' });
      const c = runtime.components().find((x) => x.id === body.component);
      if (c === undefined) return json(res, 404, { code: 'UNKNOWN_COMPONENT', message: `No live component '${String(body.component)}' in this runtime` });
      if (url.pathname === '/api/revert') return json(res, 200, await c.revert());
      if (!Number.isInteger(body.to)) return json(res, 400, { code: 'INVALID_ARGUMENT', message: `Expected \`to\` to be a version number, got ${shown(body.to)}` });
      return json(res, 200, await c.swap(body.to as number));
    }
    json(res, 404, { code: 'NOT_FOUND', message: `${req.method} ${url.pathname} is not served here` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/`;
  log(`hotswap inspector: ${url}#token=${token} (swap and revert need the token${LOOPBACK.has(host) ? '' : `; bound to ${host}, not loopback`})`);

  return {
    url,
    port,
    token,
    close: async () => {
      clearInterval(tick);
      if (pending !== undefined) clearTimeout(pending);
      timeline.close();
      for (const sub of watched.values()) sub.unsubscribe();
      watched.clear();
      for (const res of streams) res.end();
      streams.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The request's JSON object body (at most 64 KB), or `undefined` when it is none. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 65_536) return undefined;
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
