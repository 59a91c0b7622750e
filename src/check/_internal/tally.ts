/** Counts findings by key across samples, keeping the details and example of the shortest sample. */
export class Tally<T> {
  readonly #entries = new Map<string, { count: number; last: number; first: T; example: readonly string[] }>();

  /**
   * Records that sample number `sample` shows the finding `key`; a sample counts once per key. The
   * shortest example wins (the first one on a tie), so reports show the simplest way there.
   */
  add(key: string, sample: number, data: T, example: readonly string[]): void {
    const e = this.#entries.get(key);
    if (e === undefined) {
      this.#entries.set(key, { count: 1, last: sample, first: data, example });
      return;
    }
    if (e.last !== sample) {
      e.count++;
      e.last = sample;
    }
    if (example.length < e.example.length) {
      e.first = data;
      e.example = example;
    }
  }

  /** Entries in first-seen order; `first` is the kept sample's data. */
  entries(): { key: string; count: number; first: T; example: readonly string[] }[] {
    return [...this.#entries].map(([key, { count, first, example }]) => ({ key, count, first, example }));
  }
}
