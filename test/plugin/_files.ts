/**
 * Plugin files for the tests: written into a fresh temporary directory (with `"type": "module"`), each
 * importing hotswap and the counter fixture by absolute URL, as a plugin outside the repository would.
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const PLUGIN_API = new URL('../../src/plugin/index.ts', import.meta.url).href;
export const COUNTER = new URL('../fixtures/counter.ts', import.meta.url).href;

/** A temporary directory `{ dir, root }`: `root` holds `plugins/` (the watched one) and room outside it. */
export async function tempPlugins(): Promise<{ root: string; dir: string; cleanup(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'hotswap-plugins-'));
  const dir = join(root, 'plugins');
  await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
  await import('node:fs/promises').then((fs) => fs.mkdir(dir));
  return { root, dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Source of a counter plugin carrying version `n` (from `n - 1`). `up` sets `v` (unless `forgetV`, which
 * breaks v's invariant at verify); `down` restores `n - 1`. `extra` is appended to the module body.
 */
export function counterPlugin(n: number, o: { forgetV?: boolean; extra?: string; component?: string; ts?: boolean } = {}): string {
  const typed = o.ts === true ? ': { value: unknown; context: any }' : '';
  return [
    `import { definePlugin } from '${PLUGIN_API}';`,
    `import { counterVersion } from '${COUNTER}';`,
    o.extra ?? '',
    `export default definePlugin({`,
    `  component: '${o.component ?? 'counter'}',`,
    `  from: ${n - 1},`,
    `  version: counterVersion(${n}),`,
    `  link: {`,
    `    up: ({ value, context }${typed}) => ({ value, context: { ...context${o.forgetV === true ? '' : `, v: ${n}`} } }),`,
    `    down: ({ value, context }${typed}) => ({ value, context: { ...context, v: ${n - 1} } }),`,
    `  },`,
    `});`,
    '',
  ].join('\n');
}

/** Writes `content` in `chunks` pieces, `gapMs` apart, as `cp` or an editor may. */
export async function writeInChunks(path: string, content: string, chunks: number, gapMs: number): Promise<void> {
  const f = await open(path, 'w');
  try {
    const size = Math.ceil(content.length / chunks);
    for (let i = 0; i < content.length; i += size) {
      await f.write(content.slice(i, i + size));
      await f.sync();
      if (i + size < content.length) await sleep(gapMs);
    }
  } finally {
    await f.close();
  }
}
