/** docs/check.md says only what the package offers: every name it imports or calls from code exists in `hotswap/check`. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as hotswap from '../../src/check/index.ts';

const doc = readFileSync(new URL('../../docs/check.md', import.meta.url), 'utf8');
const index = readFileSync(new URL('../../src/check/index.ts', import.meta.url), 'utf8');
const section = (title: string): string => {
  const start = doc.indexOf(`## ${title}\n`);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
};
/** Every type `src/check/index.ts` exports (`export type { … }`). */
const exportedTypes = new Set([...index.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) => m[1]!.split(',').map((n) => n.trim())));

describe('docs/check.md', () => {
  it('calls from code only functions `hotswap/check` exports', () => {
    const called = [...section('From code').matchAll(/`(\w+)\(/g)].map((m) => m[1]!);
    expect(called).toContain('checkLineages');
    for (const name of called) expect(Object.keys(hotswap), name).toContain(name);
  });

  it("imports from 'hotswap/check' only names it exports, values and types", () => {
    const imports = [...doc.matchAll(/import (type )?\{([^}]*)\} from 'hotswap\/check'/g)];
    expect(imports.length).toBeGreaterThan(0);
    for (const [, type, names] of imports) {
      for (const raw of names!.split(',')) {
        const name = raw.trim().replace(/^type /, '');
        if (type !== undefined || raw.trim().startsWith('type ')) expect([...exportedTypes], name).toContain(name);
        else expect(Object.keys(hotswap), name).toContain(name);
      }
    }
    expect(doc).not.toMatch(/not yet re-exported/);
  });

  it('names the types of the report as `hotswap/check` exports them', () => {
    for (const name of ['CheckConfig', 'CheckReport', 'LinkReport', 'Reason']) {
      expect(doc, name).toContain(`\`${name}\``);
      expect([...exportedTypes], name).toContain(name);
    }
  });
});
