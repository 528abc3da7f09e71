// The peer baseline's figure: one line per subject (a1, a2, a3, iperf3,
// sockperf) of medians over repetitions against message size, drawn.
import { describe, expect, it } from 'vitest';
import { peerFigureSpec, peerFigureValues } from '../../orchestrate/peers/figure.ts';
import type { PeersRow } from '../../orchestrate/peers/rows.ts';
import { renderSvg, svgToPng } from '../../orchestrate/plots/render.ts';

function row(subject: PeersRow['subject'], msgSize: number, gbps: number, rep: number): PeersRow {
  const peer = subject === 'iperf3' || subject === 'sockperf';
  return {
    subject, kind: peer ? 'peer' : 'copybench', msg_size: msgSize, threads: 1, rep, throughput_gbps: gbps,
    window_s: 2, bytes: 1000, counted_by: 'receiver', server_cpu_s: null, client_cpu_s: null, tcp_retrans_segs: null, bytes_per_segment: null,
    wall_s: 2.6, version: 'v', run_id: 'r', started_at: 't',
  };
}

const rows: PeersRow[] = [];
for (const rep of [1, 2, 3]) {
  for (const size of [1024, 4096, 16384, 65536]) {
    for (const [subject, base] of [['two_copy', 8], ['one_copy', 9], ['zero_copy', 5], ['iperf3', 10], ['sockperf', 7]] as const) {
      rows.push(row(subject, size, base * Math.log2(size / 512) + rep, rep));
    }
  }
}
const ctx = { topology: 'veth between two network namespaces', pinning: { server: '0', client: '1' }, warmupS: 0.5, durationS: 2 };
// Labels are <text> elements; a title's lines are <tspan>s inside one.
const texts = (svg: string) => [...svg.matchAll(/<(?:text|tspan)[^>]*>([^<]+)<\/(?:text|tspan)>/g)].map((m) => m[1]);

describe('peer figure', () => {
  it('has one point per subject and size: median, slowest and fastest of the repetitions', () => {
    const values = peerFigureValues(rows);
    expect(values).toHaveLength(5 * 4);
    const a2 = values.find((v) => v.tool === 'one_copy' && v.size === 1024)!;
    expect(a2).toMatchObject({ subject: 'a2 one_copy', kind: 'copybench', median: 11, min: 10, max: 12, reps: 3 });
    expect(values.find((v) => v.tool === 'sockperf')!.kind).toBe('peer');
  });

  it('draws every subject, the sizes measured, and says how it was measured', async () => {
    const svg = await renderSvg(peerFigureSpec(rows, ctx));
    const t = texts(svg);
    expect(t).toContain('Throughput vs message size: copybench and its peers');
    expect(t).toEqual(expect.arrayContaining(['a1 two_copy', 'a2 one_copy', 'a3 zero_copy', 'iperf3', 'sockperf', '1K', '4K', '16K', '64K']));
    expect(t.join(' ')).toMatch(/sender CPU 0, receiver CPU 1; 0\.5 s warm-up, 2 s measured/);
    expect(t.join(' ')).toMatch(/median of 3 repetitions/);
    const png = svgToPng(svg);
    expect(png.width).toBeGreaterThan(800);
  });

  it('draws without a peer (none installed): copybench alone', async () => {
    const svg = await renderSvg(peerFigureSpec(rows.filter((r) => r.kind === 'copybench'), ctx));
    const t = texts(svg);
    expect(t).toContain('a2 one_copy');
    expect(t).not.toContain('iperf3');
  });
});
