/** Lineages a rehearsal pool worker loads by module URL (test/swap/rehearse-pool.test.ts). */
import { base, type V1, withV2 } from './rehearse-lineage.ts';

export { base };
export const good = withV2();
export const forgetful = withV2({ up: ({ value, context }: { value: unknown; context: V1 }) => ({ value, context: { ...context } }) });
export const buggy = withV2({ bugAt: 4 });
export const count = ({ context }: { context: unknown }): unknown => (context as { n: number }).n;
