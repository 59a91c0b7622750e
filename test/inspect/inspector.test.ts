/**
 * The inspector's server, without a browser: where it binds, what its model shows (and hides), the
 * token every action needs, the Host check against DNS rebinding, and its typed refusals.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, isHotswapError, type Runtime, type SwapReport } from '../../src/index.ts';
import { inspect, type Inspector, type InspectOptions } from '../../src/inspect/index.ts';
import { emitterLineage } from '../fixtures/emitter.ts';
import { sessionLineage } from './_session.ts';

const open: (Inspector | Runtime)[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) {
    if ('close' in x) await x.close();
    else await x.stop();
  }
});

async function setup(options: InspectOptions = {}) {
  const runtime = createRuntime();
  const c = runtime.start(sessionLineage, { id: 'session-a', version: 1 });
  c.send({ type: 'LOGIN', user: 'ada' });
  const lines: string[] = [];
  const inspector = await inspect(runtime, { log: (l) => lines.push(l), ...options });
  open.push(inspector, runtime);
  return { runtime, c, inspector, lines };
}

/** A raw HTTP request, so the Host header can be anything. */
function call(inspector: Inspector, o: { method?: string; path: string; headers?: Record<string, string>; body?: unknown }) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: inspector.port, method: o.method ?? 'GET', path: o.path, headers: { 'content-type': 'application/json', ...o.headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: res.headers['content-type']?.includes('json') ? JSON.parse(text) : text }));
    });
    req.on('error', reject);
    req.end(o.body === undefined ? undefined : JSON.stringify(o.body));
  });
}

describe('serving', () => {
  it('binds to 127.0.0.1 by default and prints its address with the action token', async () => {
    const { inspector, lines } = await setup();
    expect(inspector.url).toBe(`http://127.0.0.1:${inspector.port}/`);
    expect(inspector.token.length).toBeGreaterThanOrEqual(32);
    expect(lines).toEqual([`hotswap inspector: ${inspector.url}#token=${inspector.token} (swap and revert need the token)`]);
    const page = await call(inspector, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>hotswap inspector</title>');
  });

  it('shows version, status, mailbox, state and the ledger with remaining time — and no context by default', async () => {
    const { inspector } = await setup();
    const { status, body } = await call(inspector, { path: '/api/model' });
    expect(status).toBe(200);
    const [view] = body.components;
    expect(view).toMatchObject({ id: 'session-a', name: 'session', version: 1, versions: [1, 2, 3], status: 'running', held: 0, state: 'in' });
    expect(view.delays).toHaveLength(1);
    expect(view.delays[0].remainingMs).toBeGreaterThan(590_000);
    expect(view).not.toHaveProperty('context');
    expect(JSON.stringify(body)).not.toContain('tok-v1-secret');
  });

  it('shows context when opted in, or what the redaction function returns', async () => {
    const shown = await setup({ context: true });
    expect((await call(shown.inspector, { path: '/api/model' })).body.components[0].context).toEqual({ user: 'ada', token: 'tok-v1-secret', logins: 1 });
    const redacted = await setup({ context: (ctx) => ({ ...(ctx as object), token: '***' }) });
    expect((await call(redacted.inspector, { path: '/api/model' })).body.components[0].context).toEqual({ user: 'ada', token: '***', logins: 1 });
  });

  it('refuses a request whose Host is not its own (DNS rebinding)', async () => {
    const { inspector } = await setup();
    const r = await call(inspector, { path: '/api/model', headers: { host: `evil.example:${inspector.port}` } });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('FORBIDDEN_HOST');
    expect((await call(inspector, { path: '/api/model', headers: { host: `localhost:${inspector.port}` } })).status).toBe(200);
  });
});

describe('actions need the token', () => {
  it('refuses a swap without the token, or with a wrong one, and the old version keeps serving', async () => {
    const { inspector, c } = await setup();
    const none = await call(inspector, { method: 'POST', path: '/api/swap', body: { component: 'session-a', to: 2 } });
    const wrong = await call(inspector, { method: 'POST', path: '/api/swap', headers: { authorization: `Bearer ${'x'.repeat(inspector.token.length)}` }, body: { component: 'session-a', to: 2 } });
    const revert = await call(inspector, { method: 'POST', path: '/api/revert', body: { component: 'session-a' } });
    for (const r of [none, wrong, revert]) {
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('UNAUTHORIZED');
    }
    expect(c.version).toBe(1);
    expect(c.status).toBe('running');
  });

  it('swaps and reverts with the token, answering with the report', async () => {
    const { inspector, c } = await setup();
    const auth = { authorization: `Bearer ${inspector.token}` };
    const swapped = await call(inspector, { method: 'POST', path: '/api/swap', headers: auth, body: { component: 'session-a', to: 2 } });
    expect(swapped.status).toBe(200);
    expect((swapped.body as SwapReport).outcome).toBe('committed');
    expect(c.version).toBe(2);
    const back = await call(inspector, { method: 'POST', path: '/api/revert', headers: auth, body: { component: 'session-a' } });
    expect([back.status, back.body.outcome, c.version]).toEqual([200, 'committed', 1]);
  });

  it('answers bad input with a typed refusal', async () => {
    const { inspector, c } = await setup();
    const auth = { authorization: `Bearer ${inspector.token}` };
    const unknown = await call(inspector, { method: 'POST', path: '/api/swap', headers: auth, body: { component: 'nope', to: 2 } });
    const badTo = await call(inspector, { method: 'POST', path: '/api/swap', headers: auth, body: { component: 'session-a', to: 'two' } });
    const notJson = await call(inspector, { method: 'POST', path: '/api/swap', headers: auth });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'UNKNOWN_COMPONENT']);
    expect([badTo.status, badTo.body.code]).toEqual([400, 'INVALID_ARGUMENT']);
    expect([notJson.status, notJson.body.code]).toEqual([400, 'INVALID_ARGUMENT']);
    expect(c.version).toBe(1);
  });

  it('offers no action at all with actions: false', async () => {
    const { inspector, c } = await setup({ actions: false });
    const r = await call(inspector, { method: 'POST', path: '/api/swap', headers: { authorization: `Bearer ${inspector.token}` }, body: { component: 'session-a', to: 2 } });
    expect([r.status, r.body.code, c.version]).toEqual([403, 'ACTIONS_DISABLED', 1]);
  });
});

describe('timeline', () => {
  it("records this runtime's swaps from the channels, phases and outcome, and not another runtime's", async () => {
    const { inspector, c } = await setup();
    const other = createRuntime();
    open.push(other);
    await other.start(sessionLineage, { id: 'elsewhere', version: 1 }).swap(2);
    const ok = await c.swap(2);
    const refused = await c.swap(3);
    const { body } = await call(inspector, { path: '/api/model' });
    expect(body.swaps.map((s: any) => [s.instance, s.state, s.from, s.to])).toEqual([
      ['session-a', 'committed', 1, 2],
      ['session-a', 'refused', 2, 3],
    ]);
    const [first, second] = body.swaps;
    expect(first.swapId).toBe(ok.id);
    expect(first.phases.map((p: any) => p.phase)).toEqual(['plan', 'quiesce', 'drain', 'migrate', 'verify', 'install', 'resume']);
    expect(second.refusedIn).toBe('verify');
    expect(second.blockers.map((b: any) => b.kind)).toEqual(refused.blockers.map((b) => b.kind));
    expect(second.blockers[0].message).toContain('expected 1 (one per login), got 0');
  });
});

describe('the journal', () => {
  it('puts the swaps made before the inspector started on the timeline, from the runtime journal', async () => {
    const runtime = createRuntime();
    const c = runtime.start(sessionLineage, { id: 'early', version: 1 });
    c.send({ type: 'LOGIN', user: 'ada' });
    await c.swap(2);
    await c.swap(3); // refused at verify
    const inspector = await inspect(runtime, { log: () => undefined });
    open.push(inspector, runtime);
    await c.swap(1);
    const { body } = await call(inspector, { path: '/api/model' });
    expect(body.swaps.map((s: any) => [s.kind, s.state, s.from, s.to])).toEqual([
      ['journal', 'committed', 1, 2],
      ['journal', 'refused', 2, 3],
      ['swap', 'committed', 2, 1],
    ]);
    expect(body.swaps[0].phases.map((p: any) => p.phase)).toEqual(['plan', 'quiesce', 'drain', 'migrate', 'verify', 'install', 'resume']);
    expect(body.swaps[1]).toMatchObject({ refusedIn: 'verify', blockers: [{ kind: 'invariant-violation' }] });
    expect(body.swaps[1].phases.at(-1)).toMatchObject({ phase: 'verify', outcome: 'refused' });
  });
});

describe('a swap in progress', () => {
  it('shows the swap running with the phases done so far, and the component swapping with its held events', async () => {
    const runtime = createRuntime();
    const c = runtime.start(emitterLineage, { id: 'emitter-a', version: 1 });
    const inspector = await inspect(runtime, { log: () => undefined });
    open.push(inspector, runtime);
    const lease = c.borrow('port', 'test'); // holds the swap in quiesce until released
    const swapping = c.swap(2);
    await new Promise((resolve) => setTimeout(resolve, 10));
    c.send({ type: 'INC' });
    const during = (await call(inspector, { path: '/api/model' })).body;
    expect(during.components[0]).toMatchObject({ status: 'swapping', held: 1, version: 1 });
    expect(during.components[0].leases).toEqual([{ handle: 'port', holder: 'test', heldMs: expect.any(Number), transferable: false }]);
    expect(during.swaps).toHaveLength(1);
    expect(during.swaps[0]).toMatchObject({ state: 'running', from: 1, to: 2 });
    expect(during.swaps[0].phases.map((p: any) => p.phase)).toEqual(['plan']);
    lease.release();
    expect((await swapping).outcome).toBe('committed');
    const after = (await call(inspector, { path: '/api/model' })).body;
    expect(after.swaps[0]).toMatchObject({ state: 'committed', held: 1 });
    expect(after.components[0]).toMatchObject({ status: 'running', held: 0, version: 2 });
  });
});

describe('misuse', () => {
  it('refuses bad options with INVALID_ARGUMENT before binding anything', async () => {
    const runtime = createRuntime();
    open.push(runtime);
    for (const bad of [{ port: -1 }, { port: 1.5 }, { context: 'yes' }, { history: 0 }, { token: 'short' }] as unknown as InspectOptions[]) {
      const e = await inspect(runtime, bad).catch((error: unknown) => error);
      expect(isHotswapError(e, 'INVALID_ARGUMENT')).toBe(true);
    }
    const e = await inspect({} as Runtime).catch((error: unknown) => error);
    expect(isHotswapError(e, 'INVALID_ARGUMENT')).toBe(true);
  });
});
