/**
 * The bounded FIFO a live component holds events in while a swap is in progress (G6). Its own
 * class so the capacity rule and the order live in one place. Pinned by test/live/mailbox.test.ts.
 */
import { HotswapError } from '../errors.ts';

/**
 * A bounded FIFO of events held while a swap is in progress (G6: bounded, never silently dropped).
 * Events an action sends to its own component while held events are delivered may exceed the capacity
 * (`force`): refusing them would fail the action. Runtime timers that fire during a hold never do:
 * past the capacity they stay pending until the hold ends.
 */
export class Mailbox<T> {
  readonly capacity: number;
  #items: T[] = [];
  #head = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new HotswapError('INVALID_ARGUMENT', `Expected \`capacity\` to be a positive integer, got \`${String(capacity)}\``);
    }
    this.capacity = capacity;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Appends an event; false when the mailbox is full (the caller refuses the send). */
  offer(item: T): boolean {
    if (this.size >= this.capacity) return false;
    this.#items.push(item);
    return true;
  }

  /** Appends an internal event regardless of capacity. */
  force(item: T): void {
    this.#items.push(item);
  }

  /** The held events, oldest first (a copy). */
  items(): T[] {
    return this.#items.slice(this.#head);
  }

  /** Removes and returns the oldest event. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as T;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return item;
  }
}
