/**
 * Durability helpers shared by the file store and the file journal: after a file is created,
 * renamed or removed, the directory entry is only durable once the directory itself is fsynced.
 */
import { open } from 'node:fs/promises';

/** Makes a create, rename or unlink in `dir` durable. Some platforms (Windows) cannot open or fsync a directory; skip there. */
export async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort by design: the operation itself is already atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
