// The small words every answer shares: a point's name, a ratio with its
// interval, a count with separators, a summary of many ratios, a reference to
// a figure that exists. Pure.
import type { Implementation, Mode } from '../config/domain.ts';
import { formatSize } from '../results/format.ts';
import { ratioText } from './compare.ts';
import type { RatioSummary } from './ratios.ts';

export const pct = (x: number, digits = 0) => `${(x * 100).toFixed(digits)}%`;
export const times = (x: number) => `${x.toFixed(2)}×`;
/** 34012800 → `34,012,800`. */
export const count = (n: number) => Math.round(n).toLocaleString('en-US');
export const size = (bytes: number) => formatSize(bytes, 'course');
export const threadsText = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;
/** `a`, `a and b`, `a, b and c`. */
export function listText(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `stream 64K, 1 thread` (with the variant first when given). */
export function pointName(p: { impl?: Implementation; mode: Mode; msgSize: number; threads: number }): string {
  return `${p.impl ? `${p.impl} ` : ''}${p.mode} ${size(p.msgSize)}, ${threadsText(p.threads)}`;
}

/** `0.55× (median of 48 points, 0.18–0.89×; middle point stream 4K, 2 threads: 0.35× [0.27, 0.45])`. */
export function summaryText(s: RatioSummary): string {
  const range = s.points > 1 ? `, ${s.min.toFixed(2)}–${times(s.max)}` : '';
  return `${times(s.median)} (median of ${s.points} point${s.points === 1 ? '' : 's'}${range}; middle point ${pointName(s.middle)}: ${ratioText(s.middle)})`;
}

/** The figure ids an answer points to that this report has, and how its words name them (`figure 6`, `figures 5 and 6`). */
export function figureRef(available: readonly string[], wanted: readonly string[]): { ids: string[]; text: string } {
  const ids = wanted.filter((w) => available.includes(w));
  const numbers = ids.map((id) => id.split('-')[0]!);
  return { ids, text: ids.length ? `figure${ids.length > 1 ? 's' : ''} ${listText(numbers)}` : '' };
}

/** The first letter up: a clause that opens a sentence; a name (`zero_copy`, `rr`) stays as it is spelt. */
export const cap = (s: string) => (/^(\S*_\S*|rr)\b/.test(s) ? s : s.charAt(0).toUpperCase() + s.slice(1));

/** Sentences (empty ones left out) as one paragraph, each opened with a capital and closed with a full stop. */
export function paragraph(sentences: readonly (string | null | false | undefined)[]): string {
  return sentences
    .filter((s): s is string => !!s && s.trim().length > 0)
    .map((s) => cap(s.trim()))
    .map((s) => (/[.!?]$/.test(s) ? s : `${s}.`))
    .join(' ');
}

/** ` (figure 6)` where the figure exists, else nothing: an answer reads the same without it. */
export const figureNote = (ref: { text: string }) => (ref.text ? ` (${ref.text})` : '');

/** `1 point`, `3 points`. */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
