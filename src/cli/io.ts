/**
 * Where a `hotswap` command reads and writes: the process's own by default, a test's buffers in tests.
 * Its own file so every command (check, rollout) can take one without importing the dispatcher.
 */
export interface Io {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}
