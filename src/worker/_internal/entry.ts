/**
 * The worker's main module: loads the hosted module, finds its lineage (src/worker/module.ts) and
 * runs the ordinary in-process runtime (src/live) on it, driven by the messages of protocol.ts.
 *
 * - `serve`: starts the component (fresh or from an envelope), processes event batches in order and
 *   acknowledges them with the latest snapshot (the batches waiting together, once: outgoing.ts),
 *   checkpoints an envelope now and then, runs in-worker swaps (report first, the new version's
 *   checkpoint after the events that waited behind the swap), answers queries, and hands its state
 *   over when a drained replacement asks.
 * - `candidate`: loads and validates only; installs from the old worker's envelope when asked, then
 *   serves — or, for a rehearsal, examines an envelope as its install would, and installs nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EventObject } from 'xstate';
import { isHotswapError } from '../../errors.ts';
import type { Blocker } from '../../blockers/blocker.ts';
import { type AnyLineage, pathBetween } from '../../lineage/lineage.ts';
import { persistedSnapshotOf } from '../../xstate/adapter.ts';
import { coreOf, type Lease, type LiveComponent } from '../../runtime/component.ts';
import { createRuntime } from '../../runtime/runtime.ts';
import { createEnvelope, type Envelope } from '../../store/envelope.ts';
import { plainJson } from '../../_internal/json.ts';
import { invariantBlockers } from '../../migrate/verify.ts';
import { unacceptedHeld } from '../../swap/_internal/parts.ts';
import { hostedModuleError, resolveHostedLineage } from '../module.ts';
import { checkStart } from '../../runtime/_internal/start-check.ts';
import { resolvePolicies } from '../../swap/options.ts';
import { drainToEnvelope, handover, look } from './handover.ts';
import { PausableClock } from './pausable-clock.ts';
import { bringsUnsafeKey, DeltaEncoder, type Wire } from './delta.ts';
import { blockersOf, errorData, mirror, Outgoing, persistedMirror, plain, type SnapshotMessage } from './outgoing.ts';
import type { CheckpointState, Examined, FromWorker, HostedExport, Looked, PlainPolicies, ToWorker, WorkerInit } from './protocol.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const out = new Outgoing(port, (c) => (component === c ? { t: 'ack', seq, version: c.version } : undefined));
out.flushOnExit();
const post = (m: FromWorker): void => out.post(m);
const postSnapshot = (m: SnapshotMessage, c: LiveComponent<any>): void => out.postSnapshot(m, c);

const clock = new PausableClock();
const runtime = createRuntime({ clock, mailboxCapacity: init.capacity, onError: (error) => post({ t: 'reported', error: errorData(error) }) });

let lineage: AnyLineage;
let exported: HostedExport;
let component: LiveComponent<any> | undefined;
/** The last event sequence number processed (the state reflects every event up to it). */
let seq = init.seq;
let checkpointSeq = init.seq;
let lastCheckpoint = performance.now();
let dirty = false;
let checkpointTimer: ReturnType<typeof setTimeout> | undefined;

/** Checkpoints go as changes to the last one too; plain-data checks skip frozen subtrees found plain before. */
const checkpoints = new DeltaEncoder();
const checkedPlain = new WeakMap<object, number>();

/**
 * What `persist()` would put in an envelope, checked as `createEnvelope` checks it — plain JSON data
 * (frozen subtrees checked once), no `__proto__`/`constructor` key in what is new — but not copied
 * nor hashed here: the main thread makes the envelope if a restart needs it. A state `createEnvelope`
 * would refuse throws its coded error, as `persist()` does.
 */
function checkpointState(c: LiveComponent<any>): CheckpointState {
  const core = coreOf(c);
  if (core.swapping !== undefined) c.persist(); // throws PERSIST_REFUSED, as a checkpoint mid-swap always did
  const state = { component: core.name, version: core.version.version, snapshot: persistedSnapshotOf(core.actor), timers: core.effects.carried(core.actor), savedAt: new Date().toISOString() };
  if (!plainJson(state, { copy: false, cache: checkedPlain }).ok) createEnvelope(state); // throws the coded error
  return state;
}

function checkpoint(): void {
  checkpointTimer = undefined;
  if (component === undefined || clock.paused || component.status !== 'running' || !dirty) return;
  let state: CheckpointState;
  let wire: Wire;
  try {
    state = checkpointState(component);
    wire = checkpoints.encode(state);
    if (bringsUnsafeKey(wire)) createEnvelope(state); // throws ENVELOPE_UNSAFE_KEY with its path
  } catch (error) {
    post({ t: 'reported', error: errorData(error) });
    return;
  }
  dirty = false;
  checkpointSeq = seq;
  lastCheckpoint = performance.now();
  out.post({ t: 'checkpoint', seq, state: wire as unknown as CheckpointState });
  checkpoints.commit();
}

/**
 * A checkpoint due once the messages already waiting are processed (`setImmediate` runs after the
 * port's queued messages): a committed in-worker swap asks for one, so the events that queued up
 * behind the swap are answered first, not after a walk of the new state.
 */
let checkpointSoon: ReturnType<typeof setImmediate> | undefined;

function checkpointAfterWaiting(): void {
  checkpointSoon ??= setImmediate(() => {
    checkpointSoon = undefined;
    checkpoint();
  });
}

/** No checkpoint is due any more (a handover stands the worker still; a stop ends it). */
function cancelCheckpoints(): void {
  clearTimeout(checkpointTimer);
  clearImmediate(checkpointSoon);
  checkpointTimer = checkpointSoon = undefined;
}

function maybeCheckpoint(): void {
  if (!dirty) return;
  if (seq - checkpointSeq >= init.checkpointEvents || performance.now() - lastCheckpoint >= init.checkpointMs) checkpoint();
  else checkpointTimer ??= setTimeout(checkpoint, Math.max(0, init.checkpointMs - (performance.now() - lastCheckpoint)));
}

/** Leases lent to the main thread, by the main thread's id; a revocation is reported to it. */
const leases = new Map<number, Lease>();

function borrow(c: LiveComponent<any>, m: Extract<ToWorker, { t: 'borrow' }>): void {
  const lease = c.borrow(m.handle, m.holder);
  leases.set(m.lease, lease);
  lease.signal.addEventListener('abort', () => leases.delete(m.lease) && post({ t: 'lease-ended', lease: m.lease }), { once: true });
  post({ t: 'reply', id: m.id, ok: true, value: { since: lease.since } });
}

/** A lease's resource, as a copy: what cannot be cloned cannot cross to the main thread, and is refused. */
function leaseGet(m: Extract<ToWorker, { t: 'lease-get' }>): void {
  const lease = leases.get(m.lease);
  if (lease === undefined) throw Object.assign(new Error(`lease ${m.lease} is not held`), { code: 'LEASE_REVOKED' });
  const value = lease.get();
  try {
    post({ t: 'reply', id: m.id, ok: true, value });
  } catch (error) {
    const reason = `the resource of handle '${lease.handle}' cannot be copied to the main thread (${(error as Error).name}): a worker-hosted component can lend only plain data`;
    post({ t: 'reply', id: m.id, ok: false, error: { name: 'HotswapError', code: 'BORROW_REFUSED', message: reason, details: { handle: lease.handle, reason: 'cross-isolate' } } });
  }
}

/** On probation (a drained replacement's new worker): the invariant is checked after each change. */
let probing = false;

function probe(c: LiveComponent<any>): void {
  if (!probing) return;
  const core = coreOf(c);
  const snap = core.actor.getSnapshot() as { status: string; value: unknown; context: unknown };
  if (snap.status !== 'active') return; // the mirrored status reports it
  const violations = invariantBlockers(core.version, snap);
  if (violations.length > 0) post({ t: 'violated', seq, violations: violations.map((b) => b.message) });
}

const µs = (from: number): number => Math.round((performance.now() - from) * 1000);

/**
 * A rehearsal's part in this worker, on a copy, pausing nothing: `rehearse` (the running component's
 * own in-process rehearsal, for a version of this module), `look` (quiesce's look and drain's decision
 * as a handover would make them now) and, in a candidate, `examine` (its install's migrate and verify
 * on that envelope, nothing installed).
 */
function rehearsing(c: LiveComponent<any> | undefined, m: Extract<ToWorker, { t: 'rehearse' | 'look' | 'examine' }>): unknown {
  if (m.t === 'rehearse') return plain(c!.rehearse(m.target, m.policies === undefined ? {} : { policies: m.policies }));
  if (m.t === 'examine') {
    const t = performance.now();
    const r = checkStart(lineage, lineage.get(m.version)!, { envelope: m.envelope });
    const examined: Examined = r.ok ? { ok: true, us: µs(t) } : { ok: false, blockers: plain(r.blockers) as Blocker[], ...(r.error === undefined ? {} : { error: { name: 'HotswapError', message: r.error.message, code: r.error.code } }), us: µs(t) };
    return examined;
  }
  const policies = resolvePolicies(m.policies) as Required<PlainPolicies>;
  let t = performance.now();
  const { hard, soft } = look(c!, policies);
  const quiesce = µs(t);
  const waits = plain(soft) as Blocker[];
  if (hard.length > 0) return { ok: false, phase: 'quiesce', blockers: plain([...hard, ...soft]) as Blocker[], waits, us: { quiesce } } satisfies Looked;
  t = performance.now();
  const d = drainToEnvelope(c!, policies);
  const us = { quiesce, drain: µs(t) };
  return (d.ok ? { ok: true, waits, envelope: d.envelope, effects: d.effects, us } : { ok: false, phase: 'drain', blockers: plain(d.blockers) as Blocker[], waits, us }) satisfies Looked;
}

let delivering = false;
let mirrorQueued = false;


function serve(c: LiveComponent<any>): void {
  component = c;
  // Timers, settlements and swaps change the state too: each change is mirrored (once per turn) and
  // due in the next checkpoint. Changes made by an event batch are mirrored by its ack.
  c.subscribe(() => {
    dirty = true;
    if (!clock.paused) checkpointTimer ??= setTimeout(checkpoint, init.checkpointMs);
    if (delivering || mirrorQueued) return;
    mirrorQueued = true;
    queueMicrotask(() => {
      mirrorQueued = false;
      if (component !== c) return;
      out.ackNow(c);
      probe(c);
    });
  });
}

function deliver(events: readonly EventObject[], first: number): void {
  const c = component!;
  delivering = true;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    try {
      c.send(event);
    } catch (error) {
      if (!isHotswapError(error)) throw error;
      post({ t: 'undelivered', seq: first + i, event, error: errorData(error) });
    }
  }
  delivering = false;
  seq = first + events.length - 1;
  dirty = true;
  out.ackSoon(c);
  probe(c);
  maybeCheckpoint();
}

async function onMessage(m: ToWorker): Promise<void> {
  const c = component;
  switch (m.t) {
    case 'events':
      deliver(m.events, m.seq);
      return;
    case 'swap': {
      const report = await c!.swap(m.target, {
        ...(m.deadlineMs === undefined ? {} : { deadlineMs: m.deadlineMs }),
        ...(m.policies === undefined ? {} : { policies: m.policies }),
        ...(m.rehearse === undefined ? {} : { rehearse: m.rehearse }),
      });
      postSnapshot({ t: 'report', id: m.id, report: plain(report) as typeof report }, c!);
      if (report.outcome === 'committed') {
        dirty = true;
        checkpointAfterWaiting();
      }
      return;
    }
    case 'query':
    case 'borrow':
    case 'lease-get':
    case 'rehearse':
    case 'look':
    case 'examine':
      try {
        if (m.t === 'borrow') return borrow(c!, m);
        if (m.t === 'lease-get') return leaseGet(m);
        if (m.t === 'rehearse' || m.t === 'look' || m.t === 'examine') return post({ t: 'reply', id: m.id, ok: true, value: rehearsing(c, m) });
        const value = m.what === 'ledger' ? (plain(c!.ledger()) as ReturnType<LiveComponent['ledger']>) : m.what === 'persist' ? c!.persist() : mirror(c!);
        try {
          post({ t: 'reply', id: m.id, ok: true, value });
        } catch (error) {
          if (m.what !== 'snapshot' || (error as Error | null)?.name !== 'DataCloneError') throw error;
          post({ t: 'reply', id: m.id, ok: true, value: persistedMirror(c!) });
        }
      } catch (error) {
        post({ t: 'reply', id: m.id, ok: false, error: errorData(error) });
      }
      return;
    case 'handover': {
      const t = performance.now();
      const r = await handover(c!, m.policies, m.deadlineMs);
      if (!r.ok) return post({ t: 'drain-refused', id: m.id, blockers: plain(r.blockers) as Blocker[] });
      // from here the old worker stands still until the outcome: nothing of its clock fires
      clock.pause();
      cancelCheckpoints();
      post({ t: 'drained', id: m.id, seq, envelope: r.envelope, effects: r.effects, quiesceUs: Math.round((performance.now() - t) * 1000) });
      return;
    }
    case 'release':
      return;
    case 'permanent':
      probing = false;
      return;
    case 'resume':
      clock.resume();
      maybeCheckpoint();
      return;
    case 'install': {
      const t = performance.now();
      const target = lineage.get(m.version)!;
      const unaccepted = unacceptedHeld(m.held, target);
      if (unaccepted.length > 0) {
        return post({ t: 'install-refused', error: { name: 'HotswapError', message: 'held events the new version does not accept', code: 'START_REFUSED' }, blockers: unaccepted });
      }
      try {
        const started = runtime.start(lineage, { version: m.version, envelope: m.envelope });
        seq = checkpointSeq = m.seq;
        probing = m.probation === true;
        serve(started);
        let envelope: Envelope | undefined;
        try {
          envelope = started.persist();
        } catch {
          envelope = undefined;
        }
        postSnapshot({ t: 'installed', version: started.version, envelope, us: Math.round((performance.now() - t) * 1000) }, started);
      } catch (error) {
        post({ t: 'install-refused', error: errorData(error), blockers: blockersOf(error) });
      }
      return;
    }
    case 'stop':
      cancelCheckpoints();
      clock.resume();
      if (c !== undefined) {
        await c.stop();
        postSnapshot({ t: 'stopped', seq }, c);
      }
      port.close();
  }
}

/**
 * Runs a start, persist and restore of the target version once, off the pause: a fresh isolate
 * compiles XState and the restore path on first use (~100 ms), which would otherwise land in the
 * install, while events are held. A version that cannot start without input just skips it.
 */
function warmUp(version: number): void {
  const scratch = createRuntime({ mailboxCapacity: 1 });
  try {
    const c = scratch.start(lineage, { version, ...(init.input === undefined ? {} : { input: init.input }) });
    scratch.start(lineage, { version, envelope: c.persist() });
  } catch {
    // the real install reports what is wrong with the real state
  }
  void scratch.stop();
}

async function main(): Promise<void> {
  try {
    const namespace = (await import(init.module)) as Record<string, unknown>;
    const r = resolveHostedLineage(namespace, init.component);
    if (!r.ok) return post({ t: 'failed', phase: 'load', error: r.error, blockers: [] });
    lineage = r.lineage;
    exported = { component: lineage.name, newest: lineage.current.version, ...(r.plugin === undefined ? {} : { plugin: r.plugin }) };
  } catch (error) {
    return post({ t: 'failed', phase: 'load', error: errorData(error), blockers: [] });
  }

  if (init.role === 'candidate') {
    const to = init.version ?? lineage.current.version;
    const from = init.from ?? to;
    const known = lineage.versions.map((v) => v.version).join(', ');
    const problem =
      init.exact === true && exported.newest !== to
        ? `${init.component}@${to} was expected, but the module's newest version is ${exported.newest}${exported.plugin === undefined ? '' : ` (its plugin carries v${exported.plugin.version} from v${exported.plugin.from})`}`
        : lineage.get(to) === undefined
          ? `${init.component} has no version ${to} in this module (known: ${known})`
          : lineage.get(from) === undefined
            ? `${init.component}@${from} (running now) is not in this module's lineage (known: ${known}), so its state cannot be migrated`
            : (pathBetween(lineage, from, to) ?? []).some((s) => s.run === undefined)
              ? `the path ${init.component}@${from} → @${to} has a link without a down migration`
              : undefined;
    if (problem !== undefined) {
      const error = hostedModuleError('misfit-version', problem, { version: to, from, newest: exported.newest });
      return post({ t: 'failed', phase: 'load', error, blockers: [] });
    }
    warmUp(to);
    post({ t: 'loaded', version: to, exported });
  } else {
    try {
      const started = runtime.start(lineage, {
        ...(init.version === undefined ? {} : { version: init.version }),
        ...(init.envelope === undefined ? {} : { envelope: init.envelope }),
        ...(init.input === undefined ? {} : { input: init.input }),
      });
      serve(started);
      postSnapshot({ t: 'ready', version: started.version, envelope: started.status === 'running' ? started.persist() : undefined }, started);
    } catch (error) {
      return post({ t: 'failed', phase: 'start', error: errorData(error), blockers: blockersOf(error) });
    }
  }

  // One message at a time, in arrival order: events posted during an in-worker swap wait behind it and
  // go to whichever version wins, as held events do in-process. A throw that is not a refusal is a
  // crash of this worker, reported by the host like any other.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    if (m.t === 'release') {
      // at once, not behind the queue: a swap waiting (policy `wait`) for this release is in it
      const lease = leases.get(m.lease);
      leases.delete(m.lease);
      lease?.release();
      return;
    }
    chain = chain
      .then(() => onMessage(m))
      .catch((error: unknown) => {
        setImmediate(() => {
          throw error;
        });
      });
  });
}

await main();
