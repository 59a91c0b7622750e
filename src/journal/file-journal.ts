/**
 * The JSON Lines journal on disk (G8): one line per swap attempt, appends serialised so lines never
 * interleave, a torn last line skipped on read. Pinned by test/swap/coordinator.test.ts
 * (`describe('journal')`).
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Journal, JournalEntry } from './journal.ts';

/**
 * An append-only JSON Lines journal on disk: one line per swap attempt. Appends are serialised, so
 * lines never interleave; a torn last line (crash mid-write) is skipped when reading.
 *
 * @example
 * const runtime = createRuntime({ journal: new FileJournal('.hotswap/journal.jsonl') });
 */
export class FileJournal implements Journal {
  readonly path: string;
  #tail: Promise<void> = Promise.resolve();
  #dirReady: Promise<unknown> | undefined;

  constructor(path: string) {
    this.path = path;
  }

  append(entry: JournalEntry): Promise<void> {
    const line = `${JSON.stringify(entry)}\n`;
    this.#dirReady ??= mkdir(dirname(this.path), { recursive: true });
    const next = this.#tail.then(async () => {
      await this.#dirReady;
      await appendFile(this.path, line, 'utf8');
    });
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async entries(): Promise<readonly JournalEntry[]> {
    await this.#tail;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: JournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as JournalEntry);
      } catch {
        // a torn final line from a crash mid-append; everything before it is intact
      }
    }
    return out;
  }
}
