/**
 * The inspector page in a real browser: Debian's Chromium driven by playwright-core (Playwright's own
 * browser download cannot run here; `.ci/run` installs `chromium` when it is missing). The test swaps
 * from the page and from code, and asserts what the page shows: versions, the ledger's remaining
 * time, redacted context, the timeline's phase bars and blockers, and a refused token-less action.
 * The screenshot goes to test-artifacts/inspector.png (not committed).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type LiveComponent, type Runtime } from '../../src/index.ts';
import { inspect, type Inspector } from '../../src/inspect/index.ts';
import { sessionLineage } from './_session.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const WAIT = { timeout: 15_000 };

let browser: Browser;
let page: Page;
let runtime: Runtime;
let inspector: Inspector;
let a: LiveComponent<any>;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  runtime = createRuntime();
  a = runtime.start(sessionLineage, { id: 'session-a', version: 1 });
  a.send({ type: 'LOGIN', user: 'ada' });
  runtime.start(sessionLineage, { id: 'session-b', version: 2 });
  const redact = (ctx: unknown) => {
    const { token, secret, ...rest } = ctx as Record<string, unknown>;
    return { ...rest, ...(token === undefined ? {} : { token: '***' }), ...(secret === undefined ? {} : { secret: '***' }) };
  };
  inspector = await inspect(runtime, { context: redact, log: () => undefined });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${inspector.url}#token=${inspector.token}`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await inspector?.close();
  await runtime?.stop();
});

const text = (selector: string) => page.locator(selector).first().textContent();
/**
 * Polls from Node until `check` holds: the page's CSP forbids the string evaluation Playwright's
 * `waitForFunction` needs, and the test must see the page as a user's browser does.
 */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + WAIT.timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`the page never showed: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const shows = (selector: string, expected: string) => until(`${selector} = ${expected}`, async () => (await page.locator(selector).count()) > 0 && (await text(selector)) === expected);
const count = (selector: string, n: number) => until(`${n} × ${selector}`, async () => (await page.locator(selector).count()) === n);

describe('the inspector page in Chromium', () => {
  it('shows each live component with its version, status, state, ledger and redacted context', async () => {
    await count('[data-component]', 2);
    expect(page.url()).toBe(inspector.url); // the token left the address bar
    expect(await text('[data-component="session-a"] .version')).toBe('v1');
    expect(await text('[data-component="session-a"] .status')).toBe('running');
    expect(await text('[data-component="session-a"] .state')).toBe('in');
    expect(await text('[data-component="session-a"] .held')).toBe('0 held');
    const delay = await page.locator('[data-component="session-a"] table.delays td').allTextContents();
    expect(delay.slice(0, 2)).toEqual(['xstate.after.600000.session.in', 'in']);
    expect(Number.parseFloat(delay[3]!)).toBeGreaterThan(590); // fires in ~600 s
    expect(await text('[data-component="session-a"] .context')).toBe('{"user":"ada","logins":1,"token":"***"}');
    expect(await page.textContent('body')).not.toContain('tok-v');
    expect(await text('#conn')).toBe('live');
  });

  it('swaps from the page with the token and shows the committed swap as phase bars', async () => {
    await page.click('[data-component="session-a"] button[data-action="swap"][data-to="2"]');
    await shows('[data-component="session-a"] .version', 'v2');
    expect(a.version).toBe(2);
    await count('.swap[data-outcome="committed"]', 1);
    const phases = await page.locator('.swap[data-outcome="committed"] .bar .phase').evaluateAll((els) => els.map((e) => e.getAttribute('data-phase')));
    expect(phases).toEqual(['plan', 'quiesce', 'drain', 'migrate', 'verify', 'install', 'resume']);
    expect(await text('.swap[data-outcome="committed"] .what')).toBe('session-a  v1 → v2');
    expect(await text('[data-component="session-a"] .context')).toBe('{"user":"ada","logins":1,"secret":"***"}');
  });

  it('shows a refused swap with the phase that refused and its blocker; the old version keeps serving', async () => {
    await page.click('[data-component="session-a"] button[data-action="swap"][data-to="3"]');
    await count('.swap[data-outcome="refused"] .blockers li', 1);
    expect(await text('.swap[data-outcome="refused"] .blockers li')).toContain('expected 1 (one per login), got 0');
    expect(await page.locator('.swap[data-outcome="refused"] .phase.refused').getAttribute('data-phase')).toBe('verify');
    expect(await text('[data-component="session-a"] .version')).toBe('v2');
    expect(a.version).toBe(2);
  });

  it('updates live when code swaps a component (Server-Sent Events, no reload)', async () => {
    const report = await runtime.components().find((c) => c.id === 'session-b')!.swap(1);
    expect(report.outcome).toBe('committed');
    await shows('[data-component="session-b"] .version', 'v1');
    await count('.swap', 3);
    expect(await text('.swap .what')).toBe('session-b  v2 → v1'); // newest first
  });

  it('refuses an action from the page without the token', async () => {
    await page.fill('#token', '');
    await page.click('[data-component="session-a"] button[data-action="revert"]');
    await until('the toast says UNAUTHORIZED', async () => ((await text('#toast')) ?? '').startsWith('UNAUTHORIZED'));
    expect(a.version).toBe(2);
    expect(await page.locator('.swap').count()).toBe(3);
    await page.fill('#token', inspector.token); // back, for the screenshot's sake
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('inspector.png', ARTIFACTS).pathname, fullPage: true });
  });
});
