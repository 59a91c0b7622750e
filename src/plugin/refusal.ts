/**
 * Why a plugin file was not loaded: typed, printable, plain data (it crosses worker boundaries), each
 * naming the file. Built like blockers, from one message table.
 *
 * Pinned by test/plugin/load.test.ts (one test per code).
 */
import type { ErrorData } from '../errors.ts';

/** An error as plain data: `name`, `message`, and the `code` of a coded error. */
export interface PluginError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

interface RefusalBase {
  /** The file as the loader resolved it (absolute). */
  readonly file: string;
  readonly message: string;
}

/** Every reason the loader refuses a plugin file. The running version keeps serving in each case. */
export type PluginRefusal =
  | (RefusalBase & { readonly code: 'not-found' })
  | (RefusalBase & { readonly code: 'outside-roots'; readonly resolved: string; readonly roots: readonly string[] })
  | (RefusalBase & { readonly code: 'unsupported-file'; readonly reason: string })
  | (RefusalBase & { readonly code: 'syntax-error'; readonly error: PluginError })
  | (RefusalBase & { readonly code: 'import-threw'; readonly error: PluginError })
  | (RefusalBase & { readonly code: 'missing-export' })
  | (RefusalBase & { readonly code: 'malformed-export'; readonly problems: readonly string[] })
  | (RefusalBase & { readonly code: 'wrong-component'; readonly expected: string; readonly got: string })
  | (RefusalBase & { readonly code: 'misfit-version'; readonly version: number; /** undefined for a worker-hosted component's file (not imported on the main thread) */ readonly from: number | undefined; readonly current: number; readonly reason: string; readonly error?: ErrorData })
  | (RefusalBase & { readonly code: 'cannot-start'; readonly version: number; readonly error: PluginError });

/** The `code` of a {@link PluginRefusal}. */
export type PluginRefusalCode = PluginRefusal['code'];

/** Every refusal code, in the order the loader checks them. */
export const PluginRefusalCodes = [
  'not-found',
  'outside-roots',
  'unsupported-file',
  'syntax-error',
  'import-threw',
  'missing-export',
  'malformed-export',
  'wrong-component',
  'misfit-version',
  'cannot-start',
] as const satisfies readonly PluginRefusalCode[];

type RefusalOf<C extends PluginRefusalCode> = Extract<PluginRefusal, { code: C }>;
type RefusalInput<C extends PluginRefusalCode> = Omit<RefusalOf<C>, 'code' | 'message'>;

const err = (e: PluginError): string => `${e.code === undefined ? e.name : `${e.name} ${e.code}`}: ${e.message}`;

const messages: { [C in PluginRefusalCode]: (r: RefusalInput<C>) => string } = {
  'not-found': (r) => `plugin ${r.file}: no such file`,
  'outside-roots': (r) => `plugin ${r.file}: resolves to ${r.resolved}, outside the plugin directories (${r.roots.join(', ')})`,
  'unsupported-file': (r) => `plugin ${r.file}: ${r.reason}`,
  'syntax-error': (r) => `plugin ${r.file}: syntax error: ${err(r.error)}`,
  'import-threw': (r) => `plugin ${r.file}: importing it threw ${err(r.error)}`,
  'missing-export': (r) => `plugin ${r.file}: exports no plugin (expected \`export default definePlugin(…)\` or \`export const plugin\`)`,
  'malformed-export': (r) => `plugin ${r.file}: malformed plugin export: ${r.problems.join('; ')}`,
  'wrong-component': (r) => `plugin ${r.file}: carries a version of '${r.got}', expected '${r.expected}'`,
  'misfit-version': (r) => `plugin ${r.file}: v${r.version}${r.from === undefined ? '' : ` (from v${r.from})`} does not extend the running lineage at v${r.current}: ${r.reason}`,
  'cannot-start': (r) => `plugin ${r.file}: the machine of v${r.version} cannot start: ${err(r.error)}`,
};

/** Builds a refusal of the given code and writes its one-line message. */
export function pluginRefusal<C extends PluginRefusalCode>(code: C, data: RefusalInput<C>): RefusalOf<C> {
  const message = (messages[code] as (r: RefusalInput<C>) => string)(data);
  return { code, ...data, message } as unknown as RefusalOf<C>;
}

/** An error as {@link PluginError}, without throwing on odd values. */
export function pluginError(error: unknown): PluginError {
  let name = typeof error;
  let message = '';
  try {
    if (error instanceof Error) {
      name = error.name as typeof name;
      message = error.message;
    } else message = String(error);
  } catch {
    message = '<unprintable>';
  }
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? { name, message, code } : { name, message };
}
