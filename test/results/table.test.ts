// The one CSV reader: records typed by a row shape, cells coerced by their
// column's schema, errors that name the file, line and column.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DataError, readRecords, readTable, typedRecords } from '../../orchestrate/results/table.ts';

const Shape = {
  name: z.enum(['a', 'b']),
  size: z.number().int().positive(),
  one: z.literal(1),
  ratio: z.number().finite().nullable(),
  note: z.string().nullable(),
};

describe('readTable', () => {
  it('types every cell by its column: numbers as numbers, empty as null, text as text', () => {
    const rows = readTable(Shape, 'name,size,one,ratio,note\na,64,1,0.5,hello\nb,128,1,,\n', 'x.csv');
    expect(rows).toEqual([
      { name: 'a', size: 64, one: 1, ratio: 0.5, note: 'hello' },
      { name: 'b', size: 128, one: 1, ratio: null, note: null },
    ]);
  });

  it('never turns an empty cell into 0: a column that cannot be unknown rejects it', () => {
    expect(() => readTable(Shape, 'name,size,one,ratio,note\na,,1,1,x\n', 'x.csv')).toThrow(/x\.csv: line 2, size: .*\(cell ""\)/);
  });

  it('names the file, line and column of a cell its schema rejects', () => {
    expect(() => readTable(Shape, 'name,size,one,ratio,note\na,1,1,1,x\nc,1,1,1,x\n', 'x.csv')).toThrow(/x\.csv: line 3, name: .*\(cell "c"\)/);
    expect(() => readTable(Shape, 'name,size,one,ratio,note\na,big,1,1,x\n', 'x.csv')).toThrow(/line 2, size: .*"big"/);
    expect(() => readTable(Shape, 'name,size,one,ratio,note\na,1,2,1,x\n', 'x.csv')).toThrow(/line 2, one:/);
    expect(() => readTable(Shape, 'name,size,one,ratio,note\na,1,1,NaN,x\n', 'x.csv')).toThrow(/line 2, ratio:/);
  });

  it('takes only the header its shape derives: same columns, same order', () => {
    expect(() => readTable(Shape, 'size,name,one,ratio,note\n1,a,1,1,x\n', 'x.csv')).toThrow(DataError);
    expect(() => readTable(Shape, 'name,size,one,ratio\na,1,1,1\n', 'x.csv')).toThrow(/x\.csv: the header is not the one copybench writes \(expected 5 columns/);
  });

  it('rejects an empty file and a row of the wrong width; a header alone is no rows', () => {
    expect(() => readTable(Shape, '', 'x.csv')).toThrow(/x\.csv: empty file/);
    expect(() => readTable(Shape, 'name,size,one,ratio,note\na,1\n', 'x.csv')).toThrow(/lines 2 do not have the header's 5 cells/);
    expect(readTable(Shape, 'name,size,one,ratio,note\n', 'x.csv')).toEqual([]);
  });

  it('is readRecords then typedRecords', () => {
    const { header, records } = readRecords('name,size,one,ratio,note\r\na,"64",1,,"x,y"\r\n', 'x.csv');
    expect(typedRecords(Shape, header, records, 'x.csv')).toEqual([{ name: 'a', size: 64, one: 1, ratio: null, note: 'x,y' }]);
  });
});
