/**
 * The journal interface and its default, an in-memory bounded journal: where every swap attempt,
 * committed or refused, is recorded (G8). Pinned by test/journal/memory-journal.test.ts.
 */
import type { JournaledReport } from '../swap/report.ts';

/**
 * One journal entry: a swap attempt, committed or refused (G8), or a probation's rollback (outcome
 * `rolled-back`), with the instance (live component id) it ran on.
 */
export type JournalEntry = JournaledReport & { readonly instance: string };

/** Where swap attempts are recorded. Append-only. */
export interface Journal {
  append(entry: JournalEntry): void | Promise<void>;
  /** The entries recorded so far, oldest first, where the journal can list them. */
  entries(): readonly JournalEntry[] | Promise<readonly JournalEntry[]>;
}

/**
 * The default journal: in memory, bounded (oldest entries fall off past `limit`).
 *
 * @example
 * const journal = new MemoryJournal();
 * const runtime = createRuntime({ journal });
 */
export class MemoryJournal implements Journal {
  readonly limit: number;
  #entries: JournalEntry[] = [];
  /** Entries before this index have fallen off; dropped in one slice once as many as `limit`. */
  #head = 0;

  /** @param limit - how many entries to keep. @defaultValue 10_000 */
  constructor(limit = 10_000) {
    this.limit = limit;
  }

  append(entry: JournalEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length - this.#head > this.limit) this.#head++;
    // amortised O(1): a full journal does not shift 10,000 entries on every swap
    if (this.#head > 0 && this.#head >= this.limit) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The entries kept, oldest first: a copy, so later swaps do not change it. */
  entries(): readonly JournalEntry[] {
    return this.#entries.slice(this.#head);
  }
}
