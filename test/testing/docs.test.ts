import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('docs/testing.md shows the example test verbatim', () => {
  const doc = readFileSync(new URL('../../docs/testing.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('./prove-your-swaps.test.ts', import.meta.url), 'utf8');
  expect(doc).toContain('```ts\n' + example + '```');
});
