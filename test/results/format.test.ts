import { describe, expect, it } from 'vitest';
import { formatSize } from '../../orchestrate/results/format.ts';
import { median } from '../../orchestrate/results/stats.ts';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('formatSize', () => {
  it('labels sizes as the course does', () => {
    expect([128, 512, 1024, 4096, 65536, 1 << 20, 1000].map((b) => formatSize(b, 'course'))).toEqual(['128', '512', '1K', '4K', '64K', '1M', '1000']);
  });

  it('labels sizes with IEC units for the peer baseline', () => {
    expect([128, 1024, 1472, 65536, 1 << 20].map((b) => formatSize(b, 'iec'))).toEqual(['128 B', '1 KiB', '1472 B', '64 KiB', '1 MiB']);
  });
});
