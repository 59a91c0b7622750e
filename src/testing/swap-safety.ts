/**
 * Swap safety under random interleavings (docs/design.md §3 G1–G4, G6): events, clock ticks, effect
 * settlements, borrows and releases, and swaps to random versions with random policies, on a live
 * component with a simulated clock. Observed through XState inspection, so the machine under test
 * needs no cooperation: the kit sees which actor processed which event.
 */
import fc from 'fast-check';
import type { EventObject, InspectionEvent } from 'xstate';
import { ManualClock } from '../clock/clock.ts';
import { HotswapError } from '../errors.ts';
import { type Journal, MemoryJournal } from '../journal/journal.ts';
import type { LedgerSnapshot } from '../ledger/ledger.ts';
import { invariantBlockers } from '../migrate/verify.ts';
import { migrate } from '../migrate/migrate.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { createRuntime } from '../runtime/runtime.ts';
import type { Lease, LiveComponent } from '../runtime/component.ts';
import type { PromisePolicy, SwapPolicies } from '../swap/options.ts';
import type { SwapReport } from '../swap/report.ts';
import { SwapPropertyError } from './failure.ts';
import type { ScenarioKit, SwapSafetyOptions, SwapSafetyResult, SwapScenario } from './scenario.ts';
import { resolveTarget, type SwapCommand, swapCommands, type SwapTarget } from './swap-commands.ts';
import { type PolicyKind, policyNames, type SwapAttempt } from './swap-coverage.ts';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs one scenario and checks the guarantees:
 * G1 every accepted event processed exactly once, by the actor running at the time, in acceptance order;
 * G2 a refused swap leaves, at the point it is refused, the same actor, version and leases and, when the
 * old actor processed nothing meanwhile, the same state and pending deadlines (less those that came due); G3 every installed state satisfies its version's invariant;
 * G4 no replaced actor processes anything after the commit; G6 every swap resolves by its deadline,
 * and every refused send is a typed refusal; G7 no swap throws (a rejected `swap()` fails the run);
 * G8 every attempt is exactly one journal entry.
 */
export async function runSwapScenario<TEvent extends EventObject>(
  scenario: SwapScenario,
  commands: readonly SwapCommand<TEvent>[],
  options: SwapSafetyOptions<TEvent>,
): Promise<SwapSafetyResult> {
  const violations: string[] = [];
  const deadline = options.deadlineMs ?? 100;
  const clock = scenario.clock ?? new ManualClock();
  const kit: ScenarioKit = { clock };
  const seqOf = new WeakMap<object, number>();
  const accepted: number[] = [];
  const processed: { seq: number; root: string; current: string }[] = [];
  const retired = new Set<string>();
  const rootEvents = new Map<string, number>();
  const lastSnapshot = new Map<string, unknown>();
  let current: string | undefined;
  // assigned once, after `start()`: the inspector runs during start and must see it unset until then
  // eslint-disable-next-line prefer-const
  let component: LiveComponent | undefined;
  let refusedSends = 0;

  const inspect = (ev: InspectionEvent): void => {
    if (ev.type !== '@xstate.snapshot' || component === undefined) return;
    const now = component.sessionId;
    if (current !== now) {
      if (current !== undefined) retired.add(current);
      current = now;
    }
    const status = (ev.snapshot as { status?: string }).status;
    if (retired.has(ev.rootId) && status !== 'stopped') {
      violations.push(`G4: an actor of a replaced version (${ev.rootId}) processed '${ev.event.type}' after the swap committed`);
    }
    if (ev.actorRef.sessionId !== ev.rootId) return;
    lastSnapshot.set(ev.rootId, ev.snapshot);
    rootEvents.set(ev.rootId, (rootEvents.get(ev.rootId) ?? 0) + 1);
    const seq = seqOf.get(ev.event);
    if (seq !== undefined) processed.push({ seq, root: ev.rootId, current: now });
  };

  // G2 is judged at the refusal point, not when the kit's `await` resumes: by then the command loop may
  // have ticked on, and a timer that came due meanwhile (its event held by another swap) is not the
  // refused swap's doing. `finish()` appends to the journal synchronously at that point.
  const atEnd = new Map<string, Observed>();
  const memory = new MemoryJournal();
  const journal: Journal = {
    append: (entry) => {
      if (component !== undefined) atEnd.set(entry.id, observe(component));
      memory.append(entry);
    },
    entries: () => memory.entries(),
  };
  const runtime = createRuntime({ clock, inspect, journal, mailboxCapacity: options.mailboxCapacity ?? 8 });
  const l = scenario.lineage;
  component = runtime.start(l, {
    version: options.start ?? l.versions[0]!.version,
    ...(scenario.input === undefined ? {} : { input: scenario.input }),
  });
  current = component.sessionId;
  let lastVersion = component.version;
  let lastSession = component.sessionId;
  let commits = 0;
  component.subscribe((snapshot: { value: unknown; context: unknown }) => {
    if (component!.version === lastVersion) return;
    commits++; // every commit changes the version and emits the installed state, synchronously
    // Continuity: the installed state is the old actor's *last* state, migrated. An event the old
    // actor processed after its state was taken for migration would be lost here.
    const old = lastSnapshot.get(lastSession);
    const oldVersion = l.get(lastVersion);
    if (old !== undefined && oldVersion !== undefined) {
      const persisted = oldVersion.machine.getPersistedSnapshot(old as never) as PersistedSnapshot;
      const r = migrate(component!.lineage, structuredClone(persisted), { from: lastVersion, to: component!.version });
      if (r.ok && JSON.stringify([r.snapshot.value, r.snapshot.context]) !== JSON.stringify([snapshot.value, snapshot.context])) {
        violations.push(`G1: v${component!.version} was installed from a state that misses what v${lastVersion} processed last`);
      }
    }
    lastSession = component!.sessionId;
    lastVersion = component!.version;
    const broken = invariantBlockers(component!.definition, snapshot);
    if (broken.length > 0) violations.push(`G3: v${lastVersion} installed with a broken invariant: ${broken.map((b) => b.message).join('; ')}`);
  });

  const leases: Lease[] = [];
  const released = new Set<number>();
  const swaps: Promise<void>[] = [];
  const reports: SwapReport[] = [];
  const attempts: SwapAttempt[] = [];
  const targets = options.targets ?? l.versions.map((v) => v.version);
  let running = 0;
  let seq = 0;
  let inside = 0;

  const send = (c: LiveComponent, sent: TEvent): void => {
    const event = { ...sent };
    seqOf.set(event, ++seq);
    try {
      c.send(event);
      accepted.push(seq);
    } catch (error) {
      refusedSends++;
      if (!(error instanceof HotswapError) || (error.code !== 'MAILBOX_FULL' && error.code !== 'COMPONENT_STOPPED')) {
        violations.push(`G6: send refused with something other than a typed refusal: ${String(error)}`);
      }
    }
  };

  for (const cmd of commands) {
    switch (cmd.kind) {
      case 'send':
        send(component, cmd.event);
        break;
      case 'swap-inside': {
        // The observer fires while XState processes the event; when the event is held (a swap is on)
        // or refused, it fires on nothing and the command is a plain send.
        const c = component;
        const watch = c.subscribe(() => {
          watch.unsubscribe();
          inside++;
          swaps.push(watchSwap(c, cmd.target, cmd.policies, true));
        });
        send(c, cmd.event);
        watch.unsubscribe();
        break;
      }
      case 'tick':
        clock.advance(cmd.ms);
        break;
      case 'flush':
        await flush();
        break;
      case 'settle':
        if (!(await settle())) violations.push(`G6: a swap did not resolve within ${deadline} ms of simulated time`);
        break;
      case 'swap':
        swaps.push(watchSwap(component, cmd.target, cmd.policies, false));
        break;
      case 'borrow': {
        const handles = Object.keys(component.definition.handles ?? {});
        if (handles.length === 0) break;
        try {
          leases.push(component.borrow(handles[cmd.handle % handles.length]!, 'swap-safety'));
        } catch (error) {
          if (!(error instanceof HotswapError) || error.code !== 'BORROW_REFUSED') violations.push(`borrow threw ${String(error)}`);
        }
        break;
      }
      case 'release': {
        const lease = leases.shift();
        if (lease !== undefined) {
          released.add(lease.id);
          lease.release();
        }
        break;
      }
      case 'act':
        scenario.actions?.[cmd.name]?.(component, cmd.index, kit);
        break;
    }
  }

  // G6: every swap resolves by its deadline once time moves on.
  if (!(await settle())) violations.push(`G6: a swap did not resolve within ${deadline} ms of simulated time`);
  await Promise.all(swaps.map((p) => Promise.race([p, flush()])));

  // G1: exactly once, in acceptance order, each by the actor running at the time.
  const seen = processed.map((p) => p.seq);
  if (seen.join(',') !== accepted.join(',')) {
    violations.push(`G1: accepted events [${accepted.join(', ')}] but processed [${seen.join(', ')}]`);
  }
  for (const p of processed) {
    if (p.root !== p.current) violations.push(`G1: event #${p.seq} was processed by ${p.root}, not by the running actor ${p.current}`);
  }
  // G8: every attempt, committed or refused, is exactly one journal entry, with its report's id.
  const journaled = (await runtime.journal.entries()).map((e) => e.id);
  const reported = reports.map((r) => r.id);
  if (journaled.length !== reported.length || reported.some((id) => !journaled.includes(id))) {
    violations.push(`G8: ${reported.length} swap attempts but ${journaled.length} journal entries`);
  }
  return { violations, accepted: accepted.length, refusedSends, reports, attempts, inside };

  /** Lets time pass (the deadline, a few times) until every swap asked for so far has resolved. */
  async function settle(): Promise<boolean> {
    if (running === 0) return true;
    let settled = false;
    void Promise.all(swaps).then(() => (settled = true));
    for (let i = 0; i < 5 && !settled; i++) {
      await flush();
      clock.advance(deadline);
      await flush();
    }
    return settled;
  }

  /** What G2 compares: taken when a swap is asked for, and again at its refusal point. */
  function observe(c: LiveComponent): Observed {
    return {
      sessionId: c.sessionId,
      version: c.version,
      now: clock.now(),
      ledger: c.ledger(),
      state: stateOf(c),
      events: rootEvents.get(c.sessionId) ?? 0,
      commits,
      released: new Set(released),
    };
  }

  async function watchSwap(c: LiveComponent, asked: SwapTarget, policies: SwapPolicies, fromInside: boolean): Promise<void> {
    const before = observe(c);
    const target = resolveTarget(asked, c.version, targets);
    const decisions: PromisePolicy[] = [];
    const choose = policies.promises;
    // a per-promise function is counted: coverage says how often it was consulted and what it chose
    const counted: SwapPolicies =
      typeof choose === 'function'
        ? { ...policies, promises: (entry) => {
          const d = choose(entry);
          decisions.push(d);
          return d;
        } }
        : policies;
    running++;
    const report = await c.swap(target, { policies: counted, deadlineMs: deadline }).finally(() => running--);
    reports.push(report);
    attempts.push({ report, policies: policyNames(policies), pending: pendingKinds(before.ledger), decisions, inside: fromInside });
    if (report.outcome === 'committed') return;
    const after = atEnd.get(report.id);
    if (after === undefined) {
      violations.push(`G8: refused swap to v${target} (${report.id}) was never journaled`);
      return;
    }
    // G2: refused → the old actor runs on, untouched by the attempt. Another swap committing in the
    // meantime (this one was refused as swap-in-progress) legitimately replaced it.
    if (after.commits !== before.commits) return;
    if (after.sessionId !== before.sessionId || after.version !== before.version) {
      violations.push(`G2: refused swap to v${target} replaced the running actor`);
      return;
    }
    // Leases held before stay held: only a committed swap may revoke (or the scenario released them).
    const held = new Set(after.ledger.leases.map((x) => x.id));
    for (const lease of before.ledger.leases) {
      if (!after.released.has(lease.id) && !held.has(lease.id)) {
        violations.push(`G2: refused swap to v${target} ended the lease of '${lease.handle}'`);
      }
    }
    // When the old actor processed nothing during the attempt, everything must be exactly as before.
    if (after.events !== before.events) return;
    // A deadline that came due by the refusal point is gone for a reason of its own: it fired (its event
    // processed, held, or recorded as late when the running version has no handler for it).
    // One due exactly at the refusal point may not have fired yet (same-instant timers run in arming
    // order): it may be there or gone, but only as it was before.
    const stillDue = deadlines(before.ledger).filter(([, at]) => at > after.now);
    const was = new Set(deadlines(before.ledger).map((d) => JSON.stringify(d)));
    const all = deadlines(after.ledger);
    const pending = all.filter(([, at]) => at > after.now);
    const dueUnfired = all.filter(([, at]) => at <= after.now);
    if (JSON.stringify(pending) !== JSON.stringify(stillDue) || dueUnfired.some((d) => !was.has(JSON.stringify(d)))) {
      violations.push(`G2: refused swap to v${target} changed pending deadlines: ${JSON.stringify(stillDue)} → ${JSON.stringify(all)}`);
    }
    if (after.state !== before.state) {
      violations.push(`G2: refused swap to v${target} changed the state of v${before.version}`);
    }
  }
}

/** The component as G2 compares it, at one instant. */
interface Observed {
  readonly sessionId: string;
  readonly version: number;
  /** The clock's time. */
  readonly now: number;
  readonly ledger: LedgerSnapshot;
  readonly state: string;
  /** Snapshots the running actor had emitted (one per event it processed). */
  readonly events: number;
  readonly commits: number;
  /** Leases the scenario had released by then. */
  readonly released: ReadonlySet<number>;
}

/** The kinds of effect a ledger has pending, as the policies name them. */
function pendingKinds(l: LedgerSnapshot): PolicyKind[] {
  const kinds: PolicyKind[] = [];
  if (l.inFlight.some((c) => c.logic === 'callback' || c.logic === 'other')) kinds.push('callbacks');
  if (l.delays.length > 0) kinds.push('delays');
  if (l.timers.length > 0) kinds.push('timers');
  if (l.inFlight.some((c) => c.logic === 'promise')) kinds.push('promises');
  if (l.leases.some((x) => !x.transferable)) kinds.push('leases');
  return kinds;
}

/** The pending deadlines of a ledger: delays by id, then timers by name, each with its due time. */
function deadlines(l: LedgerSnapshot): [string, number][] {
  return [...l.delays.map((d): [string, number] => [`delay ${d.id}`, d.startedAt + d.delayMs]), ...l.timers.map((t): [string, number] => [`timer ${t.name}`, t.dueAt])];
}

/**
 * The swap-safety property: for random interleavings, {@link runSwapScenario} finds no violation.
 * `scenario` is called once per run, so fixtures with state (pending requests) start fresh.
 *
 * @example
 * await fc.assert(swapSafetyProperty(() => ({ lineage: driver }), { events: driverEvents }), { seed: 42, numRuns: 200 });
 */
export function swapSafetyProperty<TEvent extends EventObject>(
  scenario: () => SwapScenario,
  options: SwapSafetyOptions<TEvent>,
): fc.IAsyncPropertyWithHooks<[SwapCommand<TEvent>[]]> {
  return fc.asyncProperty(swapCommands(scenario(), options), async (commands) => {
    const result = await runSwapScenario(scenario(), commands, options);
    options.coverage?.record(result);
    if (result.violations.length > 0) {
      throw new SwapPropertyError('NOT_SWAP_SAFE', `swap safety violated:\n  ${[...new Set(result.violations)].join('\n  ')}`);
    }
  });
}

/** The running state as comparable text (value and context). */
function stateOf(c: LiveComponent): string {
  const s = c.getSnapshot() as { value: unknown; context: unknown };
  return JSON.stringify([s.value, s.context]);
}
