/**
 * Colour for the terminal report: only when stdout is a TTY and `NO_COLOR` is unset (no-color.org).
 */
import { styleText } from 'node:util';
import { plain, type Styler, type Tone } from '../check/format.ts';

const formats = { good: 'green', warn: 'yellow', bad: 'red', dim: 'dim', bold: 'bold' } as const satisfies Record<Tone, string>;

/** A styler for a stream: colour on a TTY without `NO_COLOR`, {@link plain} otherwise. */
export function stylerFor(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): Styler {
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  if (stream.isTTY !== true || noColor) return plain;
  return (tone, text) => styleText(formats[tone], text);
}
