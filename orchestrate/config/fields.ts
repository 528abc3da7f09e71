// Field types the config's sections share: bounded integers and seconds,
// patterned names, lists without repeats. Each says what it expected in its
// error, so a bad value is named by its path and what would have done. Pure.
import { z } from 'zod';
import { MSG_SIZE_MAX, MSG_SIZE_MIN } from './limits.ts';

export const intInRange = (min: number, max: number, what: string) => {
  const error = `expected ${what} from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

/** Seconds from `min` to `max`; `min` itself excluded when `above` (a timeout of 0 means nothing). */
export const secondsInRange = (min: number, max: number, what: string, above = false) => {
  const error = `expected ${what} in seconds, ${above ? 'more than' : 'from'} ${min} ${above ? 'and at most' : 'to'} ${max}`;
  const number = z.number({ error }).finite({ error });
  return (above ? number.gt(min, { error }) : number.min(min, { error })).max(max, { error });
};

export const patterned = (pattern: RegExp, what: string) =>
  z.string({ error: `expected ${what}` }).regex(pattern, { error: `expected ${what} matching ${pattern}` });

/** A non-empty list without repeats; `item` validates each element. */
export function uniqueList<T extends z.ZodType>(item: T, what: string) {
  return z
    .array(item, { error: `expected a list of ${what}` })
    .min(1, { error: `expected at least one of ${what}` })
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((v, i) => {
        const k = JSON.stringify(v);
        if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i], message: 'repeats an earlier entry', input: v });
        seen.add(k);
      });
    });
}

export const messageSize = intInRange(MSG_SIZE_MIN, MSG_SIZE_MAX, 'a message size in bytes');
