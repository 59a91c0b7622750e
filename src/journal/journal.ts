import type { SwapReport } from '../swap/report.ts';

/** One journal entry: a swap attempt, committed or refused (G8), with the instance it ran on. */
export interface JournalEntry extends SwapReport {
  /** The live component instance id. */
  readonly instance: string;
}

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
  readonly #entries: JournalEntry[] = [];

  /** @param limit - how many entries to keep. @defaultValue 10_000 */
  constructor(limit = 10_000) {
    this.limit = limit;
  }

  append(entry: JournalEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.limit) this.#entries.splice(0, this.#entries.length - this.limit);
  }

  entries(): readonly JournalEntry[] {
    return this.#entries;
  }
}
