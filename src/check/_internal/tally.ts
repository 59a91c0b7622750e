/** Counts findings by key across samples, keeping the first sample's details and example. */
export class Tally<T> {
  readonly #entries = new Map<string, { count: number; last: number; first: T; example: readonly string[] }>();

  /** Records that sample number `sample` shows the finding `key`; a sample counts once per key. */
  add(key: string, sample: number, data: T, example: readonly string[]): void {
    const e = this.#entries.get(key);
    if (e === undefined) this.#entries.set(key, { count: 1, last: sample, first: data, example });
    else if (e.last !== sample) {
      e.count++;
      e.last = sample;
    }
  }

  /** Entries in first-seen order. */
  entries(): { key: string; count: number; first: T; example: readonly string[] }[] {
    return [...this.#entries].map(([key, { count, first, example }]) => ({ key, count, first, example }));
  }
}
