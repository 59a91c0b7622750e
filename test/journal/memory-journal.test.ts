import { describe, expect, it } from 'vitest';
import { MemoryJournal, type JournalEntry } from '../../src/index.ts';

const entry = (n: number): JournalEntry => ({ id: `s${n}` }) as unknown as JournalEntry;

describe('MemoryJournal', () => {
  it('keeps the last `limit` entries, oldest first, across many appends', () => {
    const journal = new MemoryJournal(3);
    const seen: string[][] = [];
    for (let n = 1; n <= 10; n++) {
      journal.append(entry(n));
      seen.push(journal.entries().map((e) => e.id));
    }
    expect(seen.slice(0, 4)).toEqual([['s1'], ['s1', 's2'], ['s1', 's2', 's3'], ['s2', 's3', 's4']]);
    expect(seen.at(-1)).toEqual(['s8', 's9', 's10']);
  });

  it('hands out copies: a later append does not change entries already read', () => {
    const journal = new MemoryJournal(2);
    journal.append(entry(1));
    const before = journal.entries();
    journal.append(entry(2));
    journal.append(entry(3));
    expect(before.map((e) => e.id)).toEqual(['s1']);
    expect(journal.entries().map((e) => e.id)).toEqual(['s2', 's3']);
  });

  it('keeps nothing with a limit of 0', () => {
    const journal = new MemoryJournal(0);
    journal.append(entry(1));
    journal.append(entry(2));
    expect(journal.entries()).toEqual([]);
  });
});
