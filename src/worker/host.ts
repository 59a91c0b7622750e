/**
 * The main thread's side of a worker-hosted component: a proxy with the live-component API whose
 * actor runs in a `worker_threads` Worker (src/worker/_internal/entry.ts). The main thread holds what
 * it routes and reports with — the component's name, version numbers, the module URL, events not yet
 * checkpointed, the journal — never a machine: old code is released by terminating its worker.
 *
 * `send` is synchronous: events are numbered, batched per tick and posted in order (the bookkeeping
 * is _internal/outbox.ts). A swap to another module is a drained replacement (_internal/replace.ts);
 * a swap to a version of the running module runs inside the worker (_internal/swap.ts). Both get
 * what they need through a typed `SwapHost`, built with the commit's switch-over and the probation's
 * rollback (_internal/swap-host.ts) from a `ComponentAccess` this class builds once, so its state
 * stays `#private`; crash containment and restart (_internal/recovery.ts) through a `RecoveryHost`.
 * The mirrored snapshot and callbacks are _internal/mirror.ts, the leases' main-thread side
 * _internal/leases.ts, a replacement on probation _internal/probation.ts, a rehearsal _internal/rehearse.ts. Here: the public API, the
 * serving worker's start, queries, swap serialisation and recording, and stop. Pinned by
 * test/worker/*.test.ts.
 */
import { pathToFileURL } from 'node:url';
import type { AnyEventObject, EventObject } from 'xstate';
import { type ErrorData, HotswapError, refusalOf } from '../errors.ts';
import { type Journal, MemoryJournal } from '../journal/journal.ts';
import type { LedgerSnapshot } from '../ledger/ledger.ts';
import type { Envelope } from '../store/envelope.ts';
import { committedOrThrow, type JournaledReport, type SwapReport } from '../swap/report.ts';
import { type Channel, type Crash, type ServingStart, startServing, workerInit } from './_internal/channel.ts';
import { LeaseTable, type WorkerLease } from './_internal/leases.ts';
import { Mirror } from './_internal/mirror.ts';
import { Recovery } from './_internal/recovery.ts';
import { Outbox } from './_internal/outbox.ts';
import { swapOptionsMisuse, type WorkerProbation } from './_internal/probation.ts';
import type { PersistResult } from '../runtime/component.ts';
import { type ProbationStatus, revertOnProbation } from '../runtime/probation.ts';
import type { CheckpointState, FromWorker, HostedSnapshot, Request, ToWorker, WorkerInit } from './_internal/protocol.ts';
import { replace } from './_internal/replace.ts';
import { rehearseWorker, type WorkerRehearseOptions, workerRehearseMisuse } from './_internal/rehearse.ts';
import type { Rehearsal } from '../swap/rehearse.ts';
import { History, inWorker, planBlockers, refusedReport } from './_internal/swap.ts';
import { type ComponentAccess, swapHostOf } from './_internal/swap-host.ts';
import type { HostOptions, WorkerEvent, WorkerStatus, WorkerSwapOptions, WorkerSwapTarget } from './types.ts';

const href = (m: URL | string): string => (m instanceof URL ? m.href : /^[a-z][a-z0-9+.-]*:/i.test(m) && !/^[a-z]:[\\/]/i.test(m) ? m : pathToFileURL(m).href);

/** A live component running in a worker thread, behind the live-component API. */
export class WorkerComponent<TEvent extends EventObject = AnyEventObject> {
  readonly id: string;
  readonly name: string;
  readonly journal: Journal;
  readonly capacity: number;
  readonly #options: HostOptions;
  readonly #startTimeoutMs: number;
  #module: string;
  #version = 0;
  #status: WorkerStatus = 'running';
  #channel: Channel | undefined;
  /** The snapshot, checkpoint and callbacks mirrored on this thread. */
  readonly #mirror: Mirror;
  readonly #leases = new LeaseTable({ request: (m) => this.#request(m), release: (lease) => this.#channel?.post({ t: 'release', lease }) });
  /** Accepted events: numbered, posted in order, held during a replacement or restart. */
  readonly #outbox = new Outbox(() => this.#channel);
  #swapping: Promise<SwapReport> | undefined;
  /** The serving worker crashed during a swap: reported when the swap's report is out. */
  #crashDuringSwap: { readonly ch: Channel; readonly crash: Crash } | undefined;
  #requests = 0;
  readonly #history = new History();
  readonly #recovery: Recovery;
  /** What the swap and probation hosts reach of this component (_internal/swap-host.ts). */
  readonly #access: ComponentAccess;
  /** A drained replacement on probation (its old worker kept paused), from its commit until it settles. */
  #probation: WorkerProbation | undefined;
  /** New workers rolled back from: their late messages are ignored. */
  readonly #retired = new WeakSet<Channel>();

  /** @internal use {@link hostInWorker} */
  constructor(options: HostOptions, capacity: number) {
    this.#options = options;
    this.name = options.component;
    this.id = options.id ?? `${options.component}@worker`;
    this.journal = options.journal ?? new MemoryJournal();
    this.capacity = capacity;
    this.#module = href(options.module);
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#mirror = new Mirror(options.onError);
    const [outbox, mirror, leases] = [this.#outbox, this.#mirror, this.#leases];
    this.#recovery = new Recovery(options, {
      ...{ name: this.name, outbox, mirror, leases, version: () => this.#version, status: () => this.#status },
      setStatus: (s) => void (this.#status = s),
      serve: (envelope, version, seq) => this.#spawnServing(envelope, version, seq),
      discard: () => this.#channel?.terminate().then(() => void (this.#channel = undefined)) ?? Promise.resolve(),
    });
    this.#access = {
      ...{ id: this.id, name: this.name, options, startTimeoutMs: this.#startTimeoutMs, outbox, mirror, leases, history: this.#history },
      ...{ status: () => this.#status, swapping: () => this.#swapping !== undefined, module: () => this.#module, version: () => this.#version },
      ...{ setModule: (m) => void (this.#module = m), setVersion: (v) => void (this.#version = v), channel: () => this.#channel, clearChannel: () => void (this.#channel = undefined) },
      ...{ probation: () => this.#probation, setProbation: (p) => void (this.#probation = p), nextId: () => ++this.#requests, request: (m) => this.#request(m) },
      ...{ init: (role, module, extra) => this.#init(role, module, extra), setCheckpoint: (seq, envelope) => this.#setCheckpoint(seq, envelope), adopt: (ch) => this.#adopt(ch) },
      ...{ retire: (ch) => void this.#retired.add(ch), crashed: (crash) => this.#crashed(crash), record: (report) => this.#record(report) },
    };
  }

  /** The running version's number. */
  get version(): number {
    return this.#version;
  }
  /** The URL (href) of the module running now. */
  get module(): string {
    return this.#module;
  }
  get status(): WorkerStatus {
    return this.#status;
  }
  /** Events accepted and not yet processed by the worker. */
  get pending(): number {
    return this.#outbox.pending;
  }
  /** The last envelope checkpoint received from the worker: what a restart resumes from. */
  get lastCheckpoint(): Envelope | undefined {
    return this.#mirror.checkpoint;
  }
  /** The worker's thread id (changes at every replacement and restart), for diagnostics. */
  get threadId(): number {
    return this.#channel?.worker.threadId ?? -1;
  }

  /** @internal */
  async boot(): Promise<void> {
    const r = await this.#spawnServing(this.#options.envelope, this.#options.version, 0);
    if (!r.ok) {
      this.#status = 'stopped';
      throw new HotswapError('WORKER_START_FAILED', `Worker for '${this.name}' failed to ${r.phase} ${this.#module}: ${r.error.message}`, {
        details: { phase: r.phase, module: this.#module, error: r.error, blockers: r.blockers },
      });
    }
  }

  // ── events ─────────────────────────────────────────────────────────────

  /**
   * Sends an event: synchronous, fire-and-forget, delivered in the order sent. Throws `MAILBOX_FULL`
   * when `mailboxCapacity` events are not yet processed, `COMPONENT_STOPPED` after `stop()` and
   * `COMPONENT_CRASHED` while crashed (restart `manual`).
   */
  send(event: TEvent): void {
    if (this.#status === 'stopped') {
      throw new HotswapError('COMPONENT_STOPPED', `Component '${this.id}' is stopped; event '${event.type}' was not accepted`, { details: { component: this.id, event: event.type } });
    }
    if (this.#status === 'crashed') {
      throw new HotswapError('COMPONENT_CRASHED', `Component '${this.id}' crashed and is not restarted; event '${event.type}' was not accepted`, { details: { component: this.id, event: event.type } });
    }
    if (this.#outbox.pending >= this.capacity) {
      throw new HotswapError('MAILBOX_FULL', `Mailbox of '${this.id}' is full (capacity ${this.capacity}, not yet processed by its worker); event '${event.type}' was not accepted`, {
        details: { component: this.id, capacity: this.capacity, event: event.type },
      });
    }
    this.#outbox.accept(event);
    this.#probation?.accepted(event);
  }

  /** {@link WorkerComponent.send} as a result instead of a throw. */
  trySend(event: TEvent): { ok: true } | { ok: false; error: ErrorData } {
    try {
      this.send(event);
      return { ok: true };
    } catch (error) {
      return refusalOf(error);
    }
  }

  // ── snapshots and events ───────────────────────────────────────────────

  /** The latest snapshot mirrored from the worker (after its last processed batch), as plain data. */
  getSnapshot(): HostedSnapshot {
    return this.#mirror.snapshot;
  }

  /** Observes the mirrored snapshots: one per processed batch, swap and restart, across swaps. */
  subscribe(observer: ((snapshot: HostedSnapshot) => void) | { next: (snapshot: HostedSnapshot) => void }): { unsubscribe(): void } {
    const fn = typeof observer === 'function' ? observer : (s: HostedSnapshot) => observer.next(s);
    return this.#mirror.observe(fn);
  }

  /** Crashes, restarts and events the worker refused, as they happen. */
  onEvent(listener: (event: WorkerEvent) => void): { unsubscribe(): void } {
    return this.#mirror.listen(listener);
  }

  #onMessage = (m: FromWorker): void => {
    switch (m.t) {
      case 'ack':
        this.#outbox.acked(m.seq);
        this.#version = m.version;
        this.#mirror.setSnapshot(m.snapshot);
        if (this.#probation?.pending === true) this.#probation.observed(m.snapshot);
        return;
      case 'violated':
        this.#probation?.violated(m.violations);
        return;
      case 'checkpoint':
        this.#recovery.healthy();
        this.#setCheckpoint(m.seq, m.state);
        return;
      case 'undelivered':
        this.#mirror.emit({ type: 'undelivered', component: this.name, event: m.event, error: m.error });
        return;
      case 'reported':
        this.#mirror.emit({ type: 'error', component: this.name, error: m.error });
        return;
      case 'lease-ended':
        this.#leases.revoked(m.lease, "a swap under `leases: 'revoke'`");
        return;
    }
  };

  #setCheckpoint(seq: number, envelope: Envelope | CheckpointState | undefined): void {
    if (envelope === undefined) return;
    this.#mirror.setCheckpoint(envelope);
    this.#outbox.checkpointed(seq);
  }

  // ── workers ────────────────────────────────────────────────────────────

  #init(role: WorkerInit['role'], module: string, extra: Partial<WorkerInit>): WorkerInit {
    return workerInit(this.#options, { role, module, capacity: this.capacity, seq: this.#outbox.processed, ...extra });
  }

  async #spawnServing(envelope: Envelope | undefined, version: number | undefined, seq: number): Promise<ServingStart> {
    const from = envelope === undefined ? (this.#options.input === undefined ? {} : { input: this.#options.input }) : { envelope };
    const init = this.#init('serve', this.#module, { seq, ...from, ...(version === undefined ? {} : { version }) });
    const r = await startServing(init, this.#options.resourceLimits, this.#startTimeoutMs);
    if (!r.ok) return r;
    this.#version = r.ready.version;
    this.#setCheckpoint(seq, r.ready.envelope);
    this.#adopt(r.channel);
    this.#mirror.setSnapshot(r.ready.snapshot);
    return r;
  }

  /** Makes `ch` the worker events go to, and watches it for a crash. */
  #adopt(ch: Channel): void {
    this.#channel = ch;
    ch.listen((m) => this.#retired.has(ch) || this.#onMessage(m));
    void ch.gone.then((crash) => {
      if (crash === undefined || this.#channel !== ch) return;
      if (this.#probation?.pending === true) return this.#probation.crashed(crash.error, crash.exitCode);
      if (this.#status === 'swapping') this.#crashDuringSwap = { ch, crash };
      else void this.#crashed(crash);
    });
  }

  #crashed(crash: Crash): Promise<void> {
    this.#channel = undefined;
    return this.#recovery.crashed(crash);
  }

  /**
   * Restarts a crashed component from its last checkpoint (or its start state when it never wrote
   * one). Events sent during an automatic restart are delivered to the restarted worker. Resolves to
   * whether it is running again.
   */
  restart(): Promise<boolean> {
    return this.#recovery.restart();
  }

  // ── swap ───────────────────────────────────────────────────────────────

  /** The drained replacement on probation, while its window lasts (`swap({ module }, { probation })`). */
  get probation(): ProbationStatus | undefined {
    return this.#probation?.status;
  }

  /**
   * Swaps to a version of the running module (inside the worker, through the ordinary coordinator)
   * or to a version of another module: a drained replacement by a new worker, the old one terminated
   * at commit — or, with `options.probation`, kept paused until the window ends (_internal/probation.ts). Resolves to a report, refusal is data (G7); recorded in the journal (G8).
   */
  swap(target: WorkerSwapTarget, options: WorkerSwapOptions = {}): Promise<SwapReport> {
    // a swap asked for during a probation runs after its rollback under way, and makes it permanent
    // once it is not refused at once (#serialised): a swap refused early changes nothing
    const rollback = this.#probation?.rollingBack;
    if (rollback !== undefined) return rollback.then(() => this.swap(target, options));
    const misuse = swapOptionsMisuse(target, options);
    return misuse === undefined ? this.#serialised(target, options, false) : Promise.reject(misuse);
  }

  /** {@link WorkerComponent.swap} for scripts: throws `SWAP_REFUSED` (report in `details`) when refused. */
  async swapOrThrow(target: WorkerSwapTarget, options: WorkerSwapOptions = {}): Promise<SwapReport> {
    return committedOrThrow(await this.swap(target, options));
  }

  /**
   * Undoes the last committed swap, inside the running worker: back to the version before it through
   * the running module's links (`down` after an upgrade), or to the version below without a swap.
   */
  revert(options: WorkerSwapOptions = {}): Promise<SwapReport> {
    if (options.probation !== undefined) return Promise.reject(revertOnProbation());
    const rollback = this.#probation?.rollingBack;
    if (rollback !== undefined) return rollback.then(() => this.revert(options));
    return this.#serialised(this.#history.revertTarget(this.#version), options, true);
  }

  /** {@link WorkerComponent.revert} for scripts: throws `SWAP_REFUSED` (report in `details`) when refused. */
  async revertOrThrow(options: WorkerSwapOptions = {}): Promise<SwapReport> {
    return committedOrThrow(await this.revert(options));
  }

  /**
   * Rehearses a swap on a copy of the worker's state, without pausing it: the blockers the swap would
   * meet in plan, quiesce, drain, migrate and verify, now (for another module, in a candidate worker
   * that is terminated after). Misuse rejects with `INVALID_ARGUMENT`; refusals are data.
   */
  rehearse(target: WorkerSwapTarget, options: WorkerRehearseOptions = {}): Promise<Rehearsal> {
    const misuse = workerRehearseMisuse(options, 'options');
    if (misuse !== undefined) return Promise.reject(misuse);
    const early = this.#planBlockers(options);
    const to = typeof target === 'number' ? target : { module: href(target.module), version: target.version, exact: target.exact === true };
    return rehearseWorker(swapHostOf(this.#access), to, options, early);
  }

  #planBlockers(options: WorkerSwapOptions | WorkerRehearseOptions) {
    return planBlockers({ id: this.id, status: this.#status, swapping: this.#swapping !== undefined, version: this.#version }, options);
  }

  async #serialised(target: WorkerSwapTarget, options: WorkerSwapOptions, revert: boolean): Promise<SwapReport> {
    const to = typeof target === 'number' ? target : (target.version ?? 0);
    const host = swapHostOf(this.#access, options);
    const early = this.#planBlockers(options);
    if (early.length > 0) return this.#record(refusedReport(host, to, 'plan', early));
    this.#probation?.makePermanent();
    const run = typeof target === 'number' ? inWorker(host, target, options, revert) : replace(host, { module: href(target.module), version: target.version, exact: target.exact === true, options });
    this.#swapping = run;
    let report: SwapReport | undefined;
    try {
      this.#status = 'swapping';
      return this.#record((report = await run));
    } finally {
      if (report?.outcome === 'committed') this.#probation?.begin(this.#mirror.snapshot);
      this.#swapping = undefined;
      const died = this.#crashDuringSwap;
      this.#crashDuringSwap = undefined;
      if (died !== undefined && this.#channel === died.ch) void this.#crashed(died.crash);
      else if (this.#status === 'swapping') this.#status = 'running';
    }
  }

  #record<R extends JournaledReport>(report: R): R {
    try {
      void Promise.resolve(this.journal.append({ ...report, instance: this.id })).catch((e: unknown) => this.#mirror.report(e));
    } catch (error) {
      this.#mirror.report(error);
    }
    return report;
  }

  // ── queries ────────────────────────────────────────────────────────────

  /** Asks the serving worker, after every event sent so far; rejects with the worker's typed error. */
  async #request(m: Request): Promise<unknown> {
    const ch = this.#channel;
    if (ch === undefined || this.#status === 'stopped') {
      throw new HotswapError('COMPONENT_STOPPED', `Component '${this.id}' is ${this.#status}; no worker to ask`, { details: { component: this.id } });
    }
    this.#outbox.flush(); // after every event sent so far
    return ch.ask({ ...m, id: ++this.#requests } as ToWorker & { id: number }, this.#startTimeoutMs, this.id);
  }

  /**
   * Borrows a handle the running version declares, as `LiveComponent.borrow` does, asynchronously:
   * the lease is a record in the worker, where the swap policies see it. Rejects with
   * `BORROW_REFUSED` (unknown handle, or a swap is running), `COMPONENT_STOPPED` or
   * `COMPONENT_CRASHED`. A drained replacement refuses to move a transferable lease (`cross-isolate`).
   */
  borrow(handle: string, holder: string): Promise<WorkerLease> {
    return this.#leases.borrow(handle, holder, { component: this.id, status: this.#status });
  }

  /** The effect ledger, read in the worker after every event sent before this call. */
  ledger(): Promise<LedgerSnapshot> {
    return this.#request({ t: 'query', what: 'ledger' }) as Promise<LedgerSnapshot>;
  }

  /**
   * An envelope of the state after every event sent before this call (as `LiveComponent.persist()`).
   * Rejects with `PERSIST_REFUSED` while a swap holds events.
   */
  persist(): Promise<Envelope> {
    if (this.#outbox.holding && this.#status === 'swapping') {
      return Promise.reject(new HotswapError('PERSIST_REFUSED', `'${this.id}' is swapping; events are held, so its state is not at rest — persist after the swap`, { details: { component: this.id } }));
    }
    return this.#request({ t: 'query', what: 'persist' }) as Promise<Envelope>;
  }

  /** `persist()` as a result (the result-first scheme): the envelope, or the coded error as data. */
  async tryPersist(): Promise<PersistResult> {
    try {
      return { ok: true, envelope: await this.persist() };
    } catch (error) {
      return refusalOf(error);
    }
  }

  /**
   * Stops the component: a swap in progress finishes first, every event sent before is processed,
   * then the worker is terminated.
   */
  async stop(): Promise<void> {
    if (this.#status === 'stopped') return;
    if (this.#swapping !== undefined) await this.#swapping.catch(() => undefined);
    this.#probation?.makePermanent();
    const ch = this.#channel;
    this.#status = 'stopped';
    this.#channel = undefined;
    this.#leases.revokeAll('the component stopped');
    if (ch === undefined) return;
    this.#outbox.flushTo(ch);
    ch.post({ t: 'stop' });
    const r = await ch.until((m) => (m.t === 'stopped' ? m : undefined), this.#startTimeoutMs);
    if (r.ok) {
      this.#outbox.acked(r.value.seq);
      this.#mirror.setSnapshot(r.value.snapshot);
    }
    await ch.terminate();
  }
}
