// Our CSV files read back as typed records. Pure.
//
// One reader for every CSV copybench writes: the text is split into records
// keyed by the header, and each record is validated against the file's row
// schema (a zod object shape, the same one its header is derived from), so
// a reader can only ever see what the writer could have written. A cell is
// coerced by its column's schema: empty → null (unknown, never 0), a number
// column's text → Number (so `fast` or `NaN` fails); everything else stays
// text for the schema to judge. An error names the file, line and column.
import { z } from 'zod';

/** A file of a run that is not what copybench writes (or could not be read as such). */
export class DataError extends Error {
  override name = 'DataError';
}

/** RFC 4180 reader for our own files: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV text → records keyed by header. Rows whose width differs from the header are returned apart (by line). */
export function parseCsvRecords(text: string): { header: string[]; records: Record<string, string>[]; malformed: number[] } {
  const [header = [], ...rows] = parseCsv(text);
  const records: Record<string, string>[] = [];
  const malformed: number[] = [];
  rows.forEach((cells, i) => {
    if (cells.length === 1 && cells[0] === '') return;
    if (cells.length !== header.length) {
      malformed.push(i + 2);
      return;
    }
    records.push(Object.fromEntries(header.map((h, j) => [h, cells[j] ?? ''])));
  });
  return { header, records, malformed };
}

/** A table's text split into header and records; DataError for an empty file or a row of the wrong width. */
export function readRecords(text: string, source: string): { header: string[]; records: Record<string, string>[] } {
  if (text.trim() === '') throw new DataError(`${source}: empty file (no header, no rows)`);
  const { header, records, malformed } = parseCsvRecords(text);
  if (malformed.length) {
    throw new DataError(`${source}: lines ${malformed.join(', ')} do not have the header's ${header.length} cells`);
  }
  return { header, records };
}

/** True when a column's schema takes numbers (possibly nullable or optional). */
function takesNumber(schema: z.ZodType): boolean {
  if (schema instanceof z.ZodNullable || schema instanceof z.ZodOptional) return takesNumber(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodLiteral) return [...schema.values].every((v) => typeof v === 'number');
  return schema instanceof z.ZodNumber;
}

/** A CSV cell for a column: empty → null, a number column's text → Number (NaN fails). */
function cell<T extends z.ZodType>(schema: T) {
  const numeric = takesNumber(schema);
  return z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    if (v.trim() === '') return null;
    return numeric ? Number(v) : v;
  }, schema);
}

export type TypedRecord<S extends z.ZodRawShape> = { [K in keyof S]: z.output<S[K]> };

/**
 * Records → typed records through a row shape. The header must be exactly
 * the shape's columns, in order: a file with other columns is not ours.
 * Line numbers count the header as line 1.
 */
export function typedRecords<S extends z.ZodRawShape>(
  shape: S,
  header: readonly string[],
  records: readonly Record<string, string>[],
  source: string,
): TypedRecord<S>[] {
  const expected = Object.keys(shape);
  if (expected.join(',') !== header.join(',')) {
    throw new DataError(
      `${source}: the header is not the one copybench writes (expected ${expected.length} columns starting ` +
        `${expected.slice(0, 3).join(',')}…, got ${header.length} starting ${header.slice(0, 3).join(',')}…)`,
    );
  }
  const Record = z.object(Object.fromEntries(expected.map((k) => [k, cell(shape[k] as z.ZodType)])));
  return records.map((record, i) => {
    const parsed = Record.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const column = String(issue.path[0] ?? '?');
      throw new DataError(`${source}: line ${i + 2}, ${column}: ${issue.message} (cell ${JSON.stringify(record[column] ?? '')})`);
    }
    return parsed.data as TypedRecord<S>;
  });
}

/** CSV text → typed records: `readRecords`, then `typedRecords`. */
export function readTable<S extends z.ZodRawShape>(shape: S, text: string, source: string): TypedRecord<S>[] {
  const { header, records } = readRecords(text, source);
  return typedRecords(shape, header, records, source);
}
