/** Small shared limits and helpers of the live runtime. */

/** Records kept for inspection are capped: the newest {@link RECORD_LIMIT} stay. */
export const RECORD_LIMIT = 1000;

export function bounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > RECORD_LIMIT) list.splice(0, list.length - RECORD_LIMIT);
}


/** The default for errors from user code (observers, timer handlers): rethrown on a later tick, as XState reports unhandled errors. */
export function reportAsync(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}
