/**
 * The main thread's side of a worker-hosted component: a proxy with the live-component API whose
 * actor runs in a `worker_threads` Worker (src/worker/_internal/entry.ts). The main thread holds what
 * it routes and reports with — the component's name, version numbers, the module URL, events not yet
 * checkpointed, the journal — never a machine: old code is released by terminating its worker.
 *
 * `send` is synchronous: events are numbered, batched per tick and posted in order (the bookkeeping
 * is _internal/outbox.ts). A swap to another module is a drained replacement (_internal/replace.ts);
 * a swap to a version of the running module runs inside the worker (_internal/swap.ts). Both get
 * what they need through a typed `SwapHost` this class builds, so its state stays `#private`. Here:
 * the public API, the serving worker's start, crash and restart, queries and stop. Pinned by
 * test/worker/*.test.ts.
 */
import { pathToFileURL } from 'node:url';
import type { AnyEventObject, EventObject } from 'xstate';
import { type ErrorData, HotswapError } from '../errors.ts';
import { type Journal, MemoryJournal } from '../journal/journal.ts';
import type { LedgerSnapshot } from '../ledger/ledger.ts';
import type { Envelope } from '../store/envelope.ts';
import { formatReport, type SwapReport } from '../swap/report.ts';
import { Channel, type Crash, type ServingStart, startServing } from './_internal/channel.ts';
import { Listeners } from './_internal/listeners.ts';
import { Outbox } from './_internal/outbox.ts';
import type { FromWorker, HostedSnapshot, WorkerInit } from './_internal/protocol.ts';
import { replace } from './_internal/replace.ts';
import { inWorker, planBlockers, refusedReport, type SwapHost } from './_internal/swap.ts';
import type { HostOptions, WorkerEvent, WorkerStatus, WorkerSwapOptions, WorkerSwapTarget } from './types.ts';

const href = (m: URL | string): string => (m instanceof URL ? m.href : /^[a-z][a-z0-9+.-]*:/i.test(m) && !/^[a-z]:[\\/]/i.test(m) ? m : pathToFileURL(m).href);
const HISTORY_MAX = 64;

/**
 * Starts a component inside a worker thread and resolves to its proxy once the worker has loaded the
 * module and started the machine. Rejects with `WORKER_START_FAILED` (`details.phase` `load` or
 * `start`, `details.error`, `details.blockers`) when it cannot: the host process is not affected.
 *
 * @example
 * const limiter = await hostInWorker({ module: new URL('./plugins/limiter.js', import.meta.url), component: 'limiter', restart: 'auto' });
 * limiter.send({ type: 'HIT', key: 'a' });
 * await limiter.swap({ module: new URL('./plugins/limiter-v2.js', import.meta.url) });
 */
export async function hostInWorker<TEvent extends EventObject = AnyEventObject>(options: HostOptions): Promise<WorkerComponent<TEvent>> {
  const capacity = options.mailboxCapacity ?? 1024;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`mailboxCapacity\` to be a positive integer, got \`${String(capacity)}\``);
  }
  if (typeof options.component !== 'string' || options.component === '') {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`component\` to be a non-empty string, got \`${String(options.component)}\``);
  }
  const component = new WorkerComponent<TEvent>(options, capacity);
  await component.boot();
  return component;
}

/** A live component running in a worker thread, behind the live-component API. */
export class WorkerComponent<TEvent extends EventObject = AnyEventObject> {
  readonly id: string;
  readonly name: string;
  readonly journal: Journal;
  readonly capacity: number;
  readonly #options: HostOptions;
  #module: string;
  #version = 0;
  #status: WorkerStatus = 'running';
  #channel: Channel | undefined;
  #snapshot: HostedSnapshot | undefined;
  #checkpoint: Envelope | undefined;
  /** Accepted events: numbered, posted in order, held during a replacement or restart. */
  readonly #outbox = new Outbox(() => this.#channel);
  #restarts = 0;
  #swapping: Promise<SwapReport> | undefined;
  #requests = 0;
  #history: number[] = [];
  readonly #observers = new Listeners<HostedSnapshot>((e) => this.#report(e));
  readonly #listeners = new Listeners<WorkerEvent>((e) => this.#report(e));

  /** @internal use {@link hostInWorker} */
  constructor(options: HostOptions, capacity: number) {
    this.#options = options;
    this.name = options.component;
    this.id = options.id ?? `${options.component}@worker`;
    this.journal = options.journal ?? new MemoryJournal();
    this.capacity = capacity;
    this.#module = href(options.module);
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
    return this.#checkpoint;
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
  }

  /** {@link WorkerComponent.send} as a result instead of a throw. */
  trySend(event: TEvent): { ok: true } | { ok: false; error: ErrorData } {
    try {
      this.send(event);
      return { ok: true };
    } catch (error) {
      if (error instanceof HotswapError) return { ok: false, error: error.toJSON() };
      throw error;
    }
  }

  // ── snapshots and events ───────────────────────────────────────────────

  /** The latest snapshot mirrored from the worker (after its last processed batch), as plain data. */
  getSnapshot(): HostedSnapshot {
    return this.#snapshot!;
  }

  /** Observes the mirrored snapshots: one per processed batch, swap and restart, across swaps. */
  subscribe(observer: ((snapshot: HostedSnapshot) => void) | { next: (snapshot: HostedSnapshot) => void }): { unsubscribe(): void } {
    const fn = typeof observer === 'function' ? observer : (s: HostedSnapshot) => observer.next(s);
    return this.#observers.add(fn);
  }

  /** Crashes, restarts and events the worker refused, as they happen. */
  onEvent(listener: (event: WorkerEvent) => void): { unsubscribe(): void } {
    return this.#listeners.add(listener);
  }

  #report(error: unknown): void {
    const onError = this.#options.onError;
    if (onError !== undefined) onError(error);
    else
      setTimeout(() => {
        throw error;
      });
  }

  #emit(e: WorkerEvent): void {
    this.#listeners.emit(e);
  }

  #setSnapshot(s: HostedSnapshot): void {
    this.#snapshot = s;
    this.#observers.emit(s);
  }

  #onMessage = (m: FromWorker): void => {
    switch (m.t) {
      case 'ack':
        this.#outbox.acked(m.seq);
        this.#version = m.version;
        this.#setSnapshot(m.snapshot);
        return;
      case 'checkpoint':
        this.#restarts = 0;
        this.#setCheckpoint(m.seq, m.envelope);
        return;
      case 'undelivered':
        this.#emit({ type: 'undelivered', component: this.name, event: m.event, error: m.error });
        return;
      case 'reported':
        this.#emit({ type: 'error', component: this.name, error: m.error });
        return;
    }
  };

  #setCheckpoint(seq: number, envelope: Envelope | undefined): void {
    if (envelope === undefined) return;
    this.#checkpoint = envelope;
    this.#outbox.checkpointed(seq);
  }

  // ── workers ────────────────────────────────────────────────────────────

  /** The init of a worker for this component. */
  #init(role: WorkerInit['role'], module: string, extra: Partial<WorkerInit>): WorkerInit {
    const c = this.#options.checkpoint;
    return {
      module,
      component: this.name,
      role,
      seq: this.#outbox.processed,
      capacity: this.capacity,
      checkpointMs: c?.everyMs ?? 100,
      checkpointEvents: c?.everyEvents ?? 1000,
      ...extra,
    };
  }

  #spawn(init: WorkerInit): Channel {
    return new Channel(init, this.#options.resourceLimits);
  }

  get #startTimeoutMs(): number {
    return this.#options.startTimeoutMs ?? 30_000;
  }

  async #spawnServing(envelope: Envelope | undefined, version: number | undefined, seq: number): Promise<ServingStart> {
    const init = {
      ...this.#init('serve', this.#module, {}),
      seq,
      ...(envelope === undefined ? {} : { envelope }),
      ...(version === undefined ? {} : { version }),
      ...(this.#options.input === undefined || envelope !== undefined ? {} : { input: this.#options.input }),
    };
    const r = await startServing(init, this.#options.resourceLimits, this.#startTimeoutMs);
    if (!r.ok) return r;
    this.#version = r.ready.version;
    this.#setCheckpoint(seq, r.ready.envelope);
    this.#adopt(r.channel);
    this.#setSnapshot(r.ready.snapshot);
    return r;
  }

  /** Makes `ch` the worker events go to, and watches it for a crash. */
  #adopt(ch: Channel): void {
    this.#channel = ch;
    ch.listen(this.#onMessage);
    void ch.gone.then((crash) => {
      if (crash !== undefined && this.#channel === ch) void this.#crashed(crash);
    });
  }

  async #crashed(crash: Crash): Promise<void> {
    this.#channel = undefined;
    const { unprocessed, uncheckpointed } = this.#outbox.lost();
    // every accepted event is now accounted for: processed, or reported here
    this.#outbox.clear();
    const auto = this.#options.restart === 'auto' && this.#restarts < (this.#options.maxRestarts ?? 3);
    this.#status = auto ? 'restarting' : 'crashed';
    this.#emit({ type: 'crashed', component: this.name, version: this.#version, error: crash.error, exitCode: crash.exitCode, unprocessed, uncheckpointed });
    if (auto) await this.restart();
  }

  /**
   * Restarts a crashed component from its last checkpoint (or its start state when it never wrote
   * one). Events sent during an automatic restart are delivered to the restarted worker. Resolves to
   * whether it is running again.
   */
  async restart(): Promise<boolean> {
    if (this.#status !== 'crashed' && this.#status !== 'restarting') return this.#status === 'running';
    this.#status = 'restarting';
    this.#outbox.hold();
    this.#restarts++;
    const from = this.#checkpoint;
    const r = await this.#spawnServing(from, from?.version ?? this.#version, this.#outbox.posted);
    if ((this.#status as WorkerStatus) === 'stopped') {
      // stop() was called while the worker started: it must not outlive the component
      const ch = this.#channel;
      this.#channel = undefined;
      await ch?.terminate();
      return false;
    }
    if (!r.ok) {
      this.#outbox.unhold();
      this.#status = 'crashed';
      this.#emit({ type: 'restart-failed', component: this.name, error: r.error });
      const held = this.#outbox.held();
      if (held.length > 0) this.#emit({ type: 'crashed', component: this.name, version: this.#version, error: r.error, exitCode: 1, unprocessed: held, uncheckpointed: [] });
      this.#outbox.clear();
      return false;
    }
    this.#status = 'running';
    this.#outbox.release();
    this.#emit({ type: 'restarted', component: this.name, version: this.#version, from: from === undefined ? 'start' : 'checkpoint' });
    return true;
  }

  // ── swap ───────────────────────────────────────────────────────────────

  /** What a swap step may read and do of this component (see `SwapHost`). */
  #swapHost(): SwapHost {
    return {
      id: this.id,
      name: this.name,
      input: this.#options.input,
      startTimeoutMs: this.#startTimeoutMs,
      version: () => this.#version,
      channel: () => this.#channel!,
      nextId: () => ++this.#requests,
      query: (what) => this.#query(what) as Promise<HostedSnapshot>,
      flush: () => this.#outbox.flush(),
      settle: (report, snapshot, revert) => {
        if (report.outcome === 'committed') {
          if (revert) this.#history.pop();
          else if (this.#history.push(report.from) > HISTORY_MAX) this.#history.shift();
          this.#version = report.to;
        }
        this.#setSnapshot(snapshot);
      },
      spawnCandidate: (module, extra) => this.#spawn(this.#init('candidate', module, extra)),
      hold: () => {
        this.#outbox.flush();
        this.#outbox.hold();
      },
      release: () => this.#outbox.release(),
      heldEvents: () => this.#outbox.held(),
      commit: ({ candidate, module, version, seq, envelope, snapshot }) => {
        this.#module = module;
        const old = this.#channel;
        this.#channel = undefined; // the old worker's end is not a crash
        this.#outbox.acked(seq);
        this.#setCheckpoint(seq, envelope);
        this.#history.push(this.#version);
        if (this.#history.length > HISTORY_MAX) this.#history.shift();
        this.#version = version;
        this.#adopt(candidate);
        this.#setSnapshot(snapshot);
        void old?.terminate();
      },
    };
  }

  /**
   * Swaps to a version of the running module (inside the worker, through the ordinary coordinator)
   * or to a version of another module: a drained replacement by a new worker, the old one terminated
   * at commit. Resolves to a report, refusal is data (G7); recorded in the journal (G8).
   */
  swap(target: WorkerSwapTarget, options: WorkerSwapOptions = {}): Promise<SwapReport> {
    return this.#serialised(target, options, false);
  }

  /** {@link WorkerComponent.swap} for scripts: throws `SWAP_REFUSED` (report in `details`) when refused. */
  async swapOrThrow(target: WorkerSwapTarget, options: WorkerSwapOptions = {}): Promise<SwapReport> {
    const report = await this.swap(target, options);
    if (report.outcome === 'refused') throw new HotswapError('SWAP_REFUSED', formatReport(report), { details: { report } });
    return report;
  }

  /**
   * Undoes the last committed swap, inside the running worker: back to the version before it through
   * the running module's links (`down` after an upgrade), or to the version below without a swap.
   */
  revert(options: WorkerSwapOptions = {}): Promise<SwapReport> {
    return this.#serialised(this.#history.at(-1) ?? this.#version - 1, options, true);
  }

  async #serialised(target: WorkerSwapTarget, options: WorkerSwapOptions, revert: boolean): Promise<SwapReport> {
    const to = typeof target === 'number' ? target : (target.version ?? 0);
    const host = this.#swapHost();
    const early = planBlockers({ id: this.id, status: this.#status, swapping: this.#swapping !== undefined, version: this.#version }, options);
    if (early.length > 0) return this.#record(refusedReport(host, to, 'plan', early));
    const run = typeof target === 'number' ? inWorker(host, target, options, revert) : replace(host, { module: href(target.module), version: target.version, options });
    this.#swapping = run;
    try {
      this.#status = 'swapping';
      return this.#record(await run);
    } finally {
      this.#swapping = undefined;
      if (this.#status === 'swapping') this.#status = 'running';
    }
  }

  #record(report: SwapReport): SwapReport {
    try {
      void Promise.resolve(this.journal.append({ ...report, instance: this.id })).catch((e: unknown) => this.#report(e));
    } catch (error) {
      this.#report(error);
    }
    return report;
  }

  // ── queries ────────────────────────────────────────────────────────────

  async #query(what: 'ledger' | 'persist' | 'snapshot'): Promise<unknown> {
    const ch = this.#channel;
    if (ch === undefined || this.#status === 'stopped') {
      throw new HotswapError('COMPONENT_STOPPED', `Component '${this.id}' is ${this.#status}; no worker to ask`, { details: { component: this.id } });
    }
    this.#outbox.flush(); // after every event sent so far
    const id = ++this.#requests;
    ch.post({ t: 'query', id, what });
    const r = await ch.until((m) => (m.t === 'reply' && m.id === id ? m : undefined), this.#startTimeoutMs);
    if (!r.ok) throw new HotswapError('COMPONENT_CRASHED', `Worker of '${this.id}' ended before answering: ${r.crash?.error.message ?? 'timeout'}`, { details: { component: this.id } });
    if (!r.value.ok) throw new HotswapError((r.value.error.code as ErrorData['code'] | undefined) ?? 'INVALID_ARGUMENT', r.value.error.message, { details: r.value.error.details ?? {} });
    return r.value.value;
  }

  /** The effect ledger, read in the worker after every event sent before this call. */
  ledger(): Promise<LedgerSnapshot> {
    return this.#query('ledger') as Promise<LedgerSnapshot>;
  }

  /**
   * An envelope of the state after every event sent before this call (as `LiveComponent.persist()`).
   * Rejects with `PERSIST_REFUSED` while a swap holds events.
   */
  persist(): Promise<Envelope> {
    if (this.#outbox.holding && this.#status === 'swapping') {
      return Promise.reject(new HotswapError('PERSIST_REFUSED', `'${this.id}' is swapping; events are held, so its state is not at rest — persist after the swap`, { details: { component: this.id } }));
    }
    return this.#query('persist') as Promise<Envelope>;
  }

  /**
   * Stops the component: a swap in progress finishes first, every event sent before is processed,
   * then the worker is terminated.
   */
  async stop(): Promise<void> {
    if (this.#status === 'stopped') return;
    if (this.#swapping !== undefined) await this.#swapping.catch(() => undefined);
    const ch = this.#channel;
    this.#status = 'stopped';
    this.#channel = undefined;
    if (ch === undefined) return;
    this.#outbox.flushTo(ch);
    ch.post({ t: 'stop' });
    const r = await ch.until((m) => (m.t === 'stopped' ? m : undefined), this.#startTimeoutMs);
    if (r.ok) {
      this.#outbox.acked(r.value.seq);
      this.#setSnapshot(r.value.snapshot);
    }
    await ch.terminate();
  }
}
