/**
 * The main thread's record of the events a worker-hosted component accepted: their sequence numbers,
 * which ones the worker processed, which ones no checkpoint holds yet (what a crash reports), and
 * which ones are not yet posted (this tick's batch, or everything held during a replacement or a
 * restart). One owner for one invariant: every accepted event is posted once, in order, or reported
 * at a crash. Split out of host.ts, which drives it; pinned by test/worker/api.test.ts (order,
 * capacity), swap.test.ts and swap.property.test.ts (held events, G1) and crash.test.ts (reporting).
 */
import type { EventObject } from 'xstate';
import type { Channel } from './channel.ts';

interface Pending {
  readonly seq: number;
  readonly event: EventObject;
}

export class Outbox {
  /** The worker batches go to, when there is one. */
  readonly #target: () => Channel | undefined;
  /** Last sequence number assigned, and processed by the worker. */
  #seq = 0;
  #processed = 0;
  /** Accepted events not yet in a checkpoint, oldest first (posted or not). */
  #log: Pending[] = [];
  /** Accepted, not yet posted. */
  #queue: Pending[] = [];
  #holding = false;
  #flushScheduled = false;

  constructor(target: () => Channel | undefined) {
    this.#target = target;
  }

  /** Events accepted and not yet processed by the worker. */
  get pending(): number {
    return this.#seq - this.#processed;
  }
  /** The last sequence number the worker processed. */
  get processed(): number {
    return this.#processed;
  }
  /** The last sequence number posted (or accounted for): where a restarted worker resumes. */
  get posted(): number {
    return this.#seq - this.#queue.length;
  }
  get holding(): boolean {
    return this.#holding;
  }

  /** Numbers and records `event`; posts it with this tick's batch unless events are held. */
  accept(event: EventObject): void {
    const p = { seq: ++this.#seq, event };
    this.#log.push(p);
    this.#queue.push(p);
    if (!this.#holding && !this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Posts the batch accepted so far (before any control message, which keeps the order). */
  flush(): void {
    this.#flushScheduled = false;
    const target = this.#target();
    if (this.#holding || this.#queue.length === 0 || target === undefined) return;
    this.#post(target);
  }

  /** Posts what is left to `ch` whatever the target (stop: the channel is already detached). */
  flushTo(ch: Channel): void {
    this.#holding = false;
    if (this.#queue.length === 0) return;
    this.#post(ch);
  }

  #post(ch: Channel): void {
    const batch = this.#queue;
    this.#queue = [];
    ch.post({ t: 'events', seq: batch[0]!.seq, events: batch.map((p) => p.event) });
  }

  /** Posts what was accepted so far, then holds new events on the main thread until {@link Outbox.release}. */
  hold(): void {
    this.flush();
    this.#holding = true;
  }
  /** Stops holding without posting (there is no worker to post to). */
  unhold(): void {
    this.#holding = false;
  }
  /** Posts what was held, in order, to the target; returns how many. */
  release(): number {
    this.#holding = false;
    const n = this.#queue.length;
    this.flush();
    return n;
  }
  /** Events held right now (for a candidate's acceptance check). */
  held(): readonly EventObject[] {
    return this.#queue.map((p) => p.event);
  }

  /** The worker processed everything up to `seq`. */
  acked(seq: number): void {
    this.#processed = seq;
  }
  /** A checkpoint holds everything up to `seq`: a crash no longer reports those. */
  checkpointed(seq: number): void {
    let drop = 0;
    while (drop < this.#log.length && this.#log[drop]!.seq <= seq) drop++;
    if (drop > 0) this.#log = this.#log.slice(drop);
  }

  /** The events a crash loses: never processed, and processed after the last checkpoint. */
  lost(): { unprocessed: EventObject[]; uncheckpointed: EventObject[] } {
    return {
      unprocessed: this.#log.filter((p) => p.seq > this.#processed).map((p) => p.event),
      uncheckpointed: this.#log.filter((p) => p.seq <= this.#processed).map((p) => p.event),
    };
  }
  /**
   * A probation rolled back: the worker now serving processed everything up to `seq`, and `events`
   * (accepted since, numbered `seq + 1` on) are posted to it again, in order.
   */
  rewind(seq: number, events: readonly EventObject[]): void {
    this.#seq = this.#processed = seq;
    this.#log = [];
    this.#queue = [];
    this.#holding = false;
    for (const e of events) this.accept(e);
  }
  /** Forgets every accepted event: each is now processed or reported. */
  clear(): void {
    this.#log = [];
    this.#queue = [];
    this.#processed = this.#seq;
  }
}
