/**
 * The worker's main module: loads the hosted module, finds its lineage (src/worker/module.ts) and
 * runs the ordinary in-process runtime (src/live) on it, driven by the messages of protocol.ts.
 *
 * - `serve`: starts the component (fresh or from an envelope), processes event batches in order and
 *   acknowledges them with the latest snapshot (the batches waiting together, once: outgoing.ts),
 *   checkpoints an envelope now and then, runs in-worker swaps (event batches flow on through the
 *   swap as in-process sends do; then the report, then the new version's checkpoint), answers queries, and hands its state
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
import { coreOf, type LiveComponent } from '../../runtime/component.ts';
import { createRuntime } from '../../runtime/runtime.ts';
import { createEnvelope, type Envelope } from '../../store/envelope.ts';
import { plainJson } from '../../_internal/json.ts';
import { invariantBlockers } from '../../migrate/verify.ts';
import { unacceptedHeld } from '../../swap/_internal/parts.ts';
import { hostedModuleError, resolveHostedLineage } from '../module.ts';
import { handover } from './handover.ts';
import { LentLeases } from './lent.ts';
import { rehearsing, warmUp } from './rehearsing.ts';
import { PausableClock } from './pausable-clock.ts';
import { bringsUnsafeKey, DeltaEncoder, type Wire } from './delta.ts';
import { blockersOf, errorData, mirror, Outgoing, persistedMirror, plain, type SnapshotMessage } from './outgoing.ts';
import type { CheckpointState, FromWorker, HostedExport, ToWorker, WorkerInit } from './protocol.ts';

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
  // called early (a batch count, a swap), it takes the place of the one due: a timer left behind would
  // start a second chain of checkpoints, and every swap one more
  clearTimeout(checkpointTimer);
  checkpointTimer = undefined;
  if (component === undefined || clock.paused || component.status !== 'running' || !dirty) return;
  // mid-swap there is no state to persist (PERSIST_REFUSED): the swap's report asks for this checkpoint again
  if (swapInFlight !== undefined) {
    checkpointPutOff = true;
    return;
  }
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

const lent = new LentLeases(post);

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

/**
 * The last sequence number of the events an in-worker swap holds (sent during its pause): they are
 * processed — and acknowledged — when the pause ends, by whichever version wins.
 */
let heldThrough: number | undefined;

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
  if (coreOf(c).mode === 'held') {
    heldThrough = first + events.length - 1;
    return;
  }
  seq = first + events.length - 1;
  dirty = true;
  out.ackSoon(c);
  probe(c);
  maybeCheckpoint();
}

/**
 * The in-worker swap running now, until its report is posted. Event batches do not wait for it: they
 * reach the component as in-process sends do (the old version before the pause, held during it, the
 * winner after it), so the batches that queued up behind the swap are answered while it hashes the
 * states for its journal and writes its report. Every other message waits for the report.
 */
let swapInFlight: Promise<void> | undefined;
/** A checkpoint fell due during the swap: it is taken after the report. */
let checkpointPutOff = false;

function swapInWorker(c: LiveComponent<any>, m: Extract<ToWorker, { t: 'swap' }>): Promise<void> {
  return c
    .swap(m.target, {
      ...(m.deadlineMs === undefined ? {} : { deadlineMs: m.deadlineMs }),
      ...(m.policies === undefined ? {} : { policies: m.policies }),
      ...(m.rehearse === undefined ? {} : { rehearse: m.rehearse }),
    })
    .then((report) => {
      // the events held by the pause were delivered when it ended
      if (heldThrough !== undefined) {
        seq = Math.max(seq, heldThrough);
        heldThrough = undefined;
        dirty = true;
        out.ackSoon(c); // posted ahead of the report
      }
      postSnapshot({ t: 'report', id: m.id, report: plain(report) as typeof report }, c);
      // the new version's checkpoint (or one the swap put off) after the events waiting now
      if (report.outcome === 'committed') dirty = true;
      if (report.outcome === 'committed' || checkpointPutOff) checkpointAfterWaiting();
      checkpointPutOff = false;
    });
}

async function onMessage(m: ToWorker): Promise<void> {
  const c = component;
  switch (m.t) {
    case 'events':
      deliver(m.events, m.seq);
      return;
    case 'swap': {
      const swapped = (swapInFlight = swapInWorker(c!, m).finally(() => (swapInFlight = undefined)));
      // a throw that is not a refusal is a crash of this worker, as it always was
      swapped.catch((error: unknown) =>
        setImmediate(() => {
          throw error;
        }),
      );
      return;
    }
    case 'query':
    case 'borrow':
    case 'lease-get':
    case 'rehearse':
    case 'look':
    case 'examine':
      try {
        if (m.t === 'borrow') return lent.borrow(c!, m);
        if (m.t === 'lease-get') return lent.get(m);
        if (m.t === 'rehearse' || m.t === 'look' || m.t === 'examine') return post({ t: 'reply', id: m.id, ok: true, value: rehearsing(lineage, c, m) });
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
    warmUp(lineage, to, init.input);
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

  // One message at a time, in arrival order — but event batches do not wait for an in-worker swap's
  // report (swapInWorker): they go to the component as in-process sends do. A throw that is not a
  // refusal is a crash of this worker, reported by the host like any other.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    if (m.t === 'release') {
      // at once, not behind the queue: a swap waiting (policy `wait`) for this release is in it
      lent.release(m.lease);
      return;
    }
    chain = chain
      .then(async () => {
        if (m.t !== 'events' && swapInFlight !== undefined) await swapInFlight.catch(() => undefined);
        return onMessage(m);
      })
      .catch((error: unknown) => {
        setImmediate(() => {
          throw error;
        });
      });
  });
}

await main();
