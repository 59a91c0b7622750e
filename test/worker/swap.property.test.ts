/**
 * The swap-safety guarantees across the worker boundary, as a property: random programs of event
 * bursts, effects (a pending 60 s delay, an in-flight promise, a borrowed lease) and swaps —
 * drained replacements (committed, refused in verify, refused at load), in-worker swaps — under
 * random delay / promise / lease policies, with or without events flowing during the swap.
 *
 * - G1: every accepted event is processed exactly once, in acceptance order, by exactly one worker.
 * - G2: a refused swap asked while no event flows (and no promise can settle) leaves the snapshot
 *   deep-equal, the delay pending and the lease held.
 * - G7, G8: every swap resolves to a report (never throws) and is exactly one journal entry.
 * - Policies, where the outcome is determined: `block` on a pending delay or a held lease refuses;
 *   `revoke` on a held lease revokes it at commit; `cancel` drops the delay, `carry` keeps it with
 *   no more time left than before.
 *
 * Each replacement starts a worker (~0.2–1 s from the sources), so CI runs a few dozen programs at
 * the project seed and prints what they covered; `npm run test:soak` runs 20× as many.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostInWorker, type WorkerComponent, type WorkerLease } from '../../src/worker/index.ts';
import type { SwapReport } from '../../src/index.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { fcParams, seed, soak } from '../_support/fc.ts';
import { contextOf, fixture, until } from './_support.ts';

type How = 'replace' | 'in-worker' | 'refused-verify' | 'refused-load';
interface Policies {
  readonly delays: 'carry' | 'cancel' | 'restart' | 'block';
  readonly promises: 'wait' | 'abort' | 'adopt';
  readonly leases: 'wait' | 'revoke' | 'block';
}
type Step =
  | { readonly kind: 'burst'; readonly count: number }
  | { readonly kind: 'arm' }
  | { readonly kind: 'fetch' }
  | { readonly kind: 'borrow' }
  | { readonly kind: 'reset' }
  | {
      readonly kind: 'swap';
      readonly how: How;
      /** A replacement's target version; an in-worker swap goes to the other version. */
      readonly to: 1 | 2;
      /** Set up right before the swap (from idle): a pending 60 s delay or an in-flight promise, and a lease. */
      readonly effect: 'none' | 'delay' | 'promise';
      readonly lease: boolean;
      readonly policies: Policies;
      readonly traffic: boolean;
    };

const policies: fc.Arbitrary<Policies> = fc.record({
  delays: fc.constantFrom('carry' as const, 'cancel' as const, 'restart' as const, 'block' as const),
  promises: fc.constantFrom('wait' as const, 'abort' as const, 'adopt' as const),
  leases: fc.constantFrom('wait' as const, 'revoke' as const, 'block' as const),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('burst' as const), count: fc.integer({ min: 1, max: 40 }) }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'arm' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'fetch' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'borrow' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'reset' as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('swap' as const),
      how: fc.constantFrom<How>('replace', 'replace', 'in-worker', 'in-worker', 'refused-verify', 'refused-load'),
      to: fc.constantFrom(1 as const, 2 as const),
      effect: fc.constantFrom('none' as const, 'delay' as const, 'promise' as const),
      lease: fc.boolean(),
      policies,
      traffic: fc.boolean(),
    }),
    weight: 8,
  },
);

/** What the runs covered: outcomes by kind of swap, blockers, and each policy that met its effect. */
class Coverage {
  readonly outcomes = new Map<string, number>();
  readonly blockers = new Map<string, number>();
  readonly met = new Map<string, number>();
  attempts = 0;
  committed = 0;
  #bump(m: Map<string, number>, k: string): void {
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  swap(how: How, report: SwapReport, met: readonly string[]): void {
    this.attempts++;
    if (report.outcome === 'committed') this.committed++;
    this.#bump(this.outcomes, `${how} ${report.outcome}`);
    for (const b of report.blockers) this.#bump(this.blockers, b.kind);
    for (const m of met) this.#bump(this.met, m);
  }
  format(): string {
    const line = (m: Map<string, number>): string => [...m].sort().map(([k, n]) => `${k} ${n}`).join(', ');
    return [
      `swaps ${this.attempts}: committed ${this.committed}, refused ${this.attempts - this.committed}`,
      `  by kind: ${line(this.outcomes)}`,
      `  blockers: ${line(this.blockers)}`,
      `  policies met: ${line(this.met)}`,
    ].join('\n');
  }
}

describe('swap safety of worker-hosted components (G1 G2 G7 G8, policies)', () => {
  let c: WorkerComponent<CounterEvent>;
  let next = 0;
  let lease: WorkerLease | undefined;
  let journaled = 0;
  let mailboxFull = 0;
  const coverage = new Coverage();
  beforeAll(async () => {
    c = await hostInWorker<CounterEvent>({ module: fixture('counter-v2'), component: 'counter', version: 1 });
  });
  afterAll(() => c.stop());

  /** Sends `k` numbered events; one refused (G6: a full mailbox refuses, typed) is not numbered. */
  const send = (k: number): void => {
    for (let i = 0; i < k; i++) {
      const r = c.trySend({ type: 'ADD', n: next });
      if (r.ok) next++;
      else {
        expect(r.error.code).toBe('MAILBOX_FULL');
        mailboxFull++;
      }
    }
  };

  async function swap(s: Extract<Step, { kind: 'swap' }>): Promise<void> {
    if (s.effect !== 'none') {
      c.send({ type: 'RESET' });
      c.send(s.effect === 'delay' ? { type: 'ARM_LONG' } : { type: 'FETCH', ms: 500 });
    }
    if (s.lease) lease ??= await c.borrow('tally', 'property');
    const before = await c.ledger(); // after every event sent so far
    const snapshot = c.getSnapshot();
    const delay = before.delays.length > 0;
    const promise = before.inFlight.some((x) => x.logic === 'promise');
    const held = lease?.state === 'held' ? lease : undefined;
    const options = { policies: s.policies, deadlineMs: 3000 };
    const target =
      s.how === 'replace'
        ? { module: fixture('counter-v2'), version: s.to }
        : s.how === 'refused-verify'
          ? { module: fixture('counter-v3-bad'), version: 3 }
          : s.how === 'refused-load'
            ? { module: fixture('throws-at-import') }
            : c.version === 1 ? 2 : 1;
    const swapping = c.swap(target, options);
    // `wait` on a held lease: its holder releases it a little later (the swap waits for that)
    const release = held !== undefined && s.policies.leases === 'wait' ? setTimeout(() => held.release(), 30) : undefined;
    let pump: ReturnType<typeof setInterval> | undefined;
    if (s.traffic) {
      send(5); // while the candidate loads (or the in-worker swap is queued)
      pump = setInterval(() => send(1), 3);
    }
    const report = await swapping; // G7: resolves, refused or not
    clearInterval(pump);
    clearTimeout(release);
    journaled++;

    const met: string[] = [];
    if (delay) met.push(`delays:${s.policies.delays}`);
    if (promise) met.push(`promises:${s.policies.promises}`);
    if (held !== undefined) met.push(`leases:${s.policies.leases}`);
    coverage.swap(s.how, report, met);

    if (s.how === 'refused-verify' || s.how === 'refused-load') expect(report.outcome).toBe('refused');
    if (s.how === 'refused-load') expect(report).toMatchObject({ phase: 'plan', held: 0, pauseUs: 0 }); // invisible candidate
    if (delay && s.policies.delays === 'block') expect(report.outcome).toBe('refused');
    if (held !== undefined && s.policies.leases === 'block') expect(report.outcome).toBe('refused');
    if (report.outcome === 'committed') {
      expect(c.version).toBe(report.to);
      if (held !== undefined && s.policies.leases === 'revoke') {
        for (let i = 0; i < 100 && held.state === 'held'; i++) await new Promise((r) => setTimeout(r, 5));
        expect(held.state).toBe('revoked');
      }
      if (delay) {
        const after = (await c.ledger()).delays;
        if (s.policies.delays === 'cancel') expect(after).toEqual([]);
        if (s.policies.delays === 'carry') expect(after[0]!.remainingMs).toBeLessThanOrEqual(before.delays[0]!.remainingMs);
      }
    } else if (!s.traffic && !promise) {
      // G2: nothing changed — no event was sent meanwhile, and no promise could settle
      expect(c.getSnapshot()).toEqual(snapshot);
      expect((await c.ledger()).delays.length).toBe(before.delays.length);
      if (held !== undefined && s.policies.leases !== 'wait') expect(held.state).toBe('held');
    }
    if (lease?.state !== 'held') lease = undefined;
  }

  it('processes every accepted event exactly once, in order; refusals change nothing; every swap is journaled', { timeout: soak ? 3_600_000 : 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 4 }), async (steps) => {
        c.send({ type: 'RESET' }); // each program starts from idle (a cancelled delay leaves its state)
        for (const s of steps) {
          if (s.kind === 'burst') send(s.count);
          else if (s.kind === 'reset') c.send({ type: 'RESET' });
          else if (s.kind === 'arm') c.send({ type: 'ARM_LONG' }); // a 60 s delay (from idle)
          else if (s.kind === 'fetch') c.send({ type: 'FETCH', ms: 500 }); // a promise (from idle)
          else if (s.kind === 'borrow') lease ??= await c.borrow('tally', 'property');
          else await swap(s);
        }
        await until(c, (snap) => (snap.context as { log: number[] }).log.length === next);
        expect(contextOf(c).log).toEqual(Array.from({ length: next }, (_, i) => i)); // G1
        expect(await c.journal.entries()).toHaveLength(journaled); // G8: one entry per attempt
      }),
      fcParams(30),
    );
    console.log(`worker-hosted swap safety, seed ${seed}${soak ? ' (soak)' : ''}:\n${coverage.format()}\n  events accepted ${next}, refused by a full mailbox ${mailboxFull}`);
    // the runs tested what they claim: commits and refusals both frequent, every policy met its effect
    expect(coverage.committed / coverage.attempts).toBeGreaterThanOrEqual(0.3);
    expect(coverage.committed / coverage.attempts).toBeLessThanOrEqual(0.9);
    for (const p of ['delays:carry', 'delays:cancel', 'delays:restart', 'delays:block', 'promises:wait', 'promises:abort', 'promises:adopt', 'leases:wait', 'leases:revoke', 'leases:block']) {
      expect(coverage.met.get(p) ?? 0, `policy ${p} met an effect`).toBeGreaterThan(0);
    }
  });
});
