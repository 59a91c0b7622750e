/** Small shared helpers of the live runtime. */

/** The default for errors from user code (observers, timer handlers): rethrown on a later tick, as XState reports unhandled errors. */
export function reportAsync(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}
