import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attributeSide, classifySample, parsePerfScript, type SideAttribution } from '../../orchestrate/results/attribution.ts';

const FIXTURES = 'test/fixtures/attribution';

function side(name: string, comm: string, event = 'cpu-clock'): SideAttribution {
  const { samples, skipped } = parsePerfScript(readFileSync(`${FIXTURES}/${name}.txt`, 'utf8'));
  expect(skipped).toBe(0);
  return attributeSide(samples, { comms: [comm], event });
}
const share = (a: SideAttribution, site: keyof SideAttribution['sites']) => a.sites[site] / a.samples;

/** One hand-made sample: frames leaf first, `k:` kernel, `u:` user. */
function sample(comm: string, frames: string[], event = 'cpu-clock') {
  const text =
    `${comm} 4242 [001] ${event}: \n` +
    frames.map((f, i) => `\t${(0xffff0000 + i).toString(16)} ${f.slice(2)} (${f.startsWith('k:') ? '[kernel.kallsyms]' : '/bin/x'})`).join('\n') +
    '\n';
  return parsePerfScript(text).samples[0]!;
}
const classify = (comm: string, frames: string[], event = 'cpu-clock') => {
  const v = classifySample(sample(comm, frames, event), { comms: ['a1_server', 'a1_client'], event });
  return v.idle ? 'idle' : v.site;
};

describe('captured stacks (veth, server CPU 0, client CPU 1, RPS, cpu-clock)', () => {
  it('two_copy: the sender copies in user space and in the kernel send path', () => {
    const a = side('a1-65536-stream-server', 'a1_server');
    expect(share(a, 'user_copy')).toBeGreaterThan(0.01);
    expect(share(a, 'send_copy')).toBeGreaterThan(0.05);
    expect(a.sites.recv_copy + a.sites.deferred_copy).toBe(0);
  });
  it('one_copy: the sender has no user copy, only the kernel one', () => {
    const a = side('a2-65536-stream-server', 'a2_server');
    expect(a.sites.user_copy).toBe(0);
    expect(share(a, 'send_copy')).toBeGreaterThan(0.05);
  });
  it('zero_copy: the sender pins pages and never copies from user memory', () => {
    const a = side('a3-65536-stream-server', 'a3_server');
    expect(a.sites.send_copy + a.sites.user_copy).toBe(0);
    expect(share(a, 'zc_overhead')).toBeGreaterThan(0.02);
  });
  it('zero_copy over veth: the pages are copied later, at delivery on the receiving CPU', () => {
    const a = side('a3-65536-stream-client', 'a3_client');
    expect(share(a, 'deferred_copy')).toBeGreaterThan(0.05);
  });
  it.each(['a1', 'a2', 'a3'])('%s: the receiver copies kernel → user in its receive path', (v) => {
    const a = side(`${v}-65536-stream-client`, `${v}_client`);
    expect(share(a, 'recv_copy')).toBeGreaterThan(0.02);
  });
  it('two_copy: the receiver copies out in user space', () => {
    expect(side('a1-65536-stream-client', 'a1_client').sites.user_copy).toBeGreaterThan(0);
  });
  it('leaves idle and other programs out, and counts work outside the process', () => {
    const a = side('a1-65536-stream-server', 'a1_server');
    expect(a.idle).toBeGreaterThan(0);
    expect(a.foreign).toBeGreaterThan(0);
    expect(a.outsideProcess).toBeGreaterThan(0);
    expect(Object.values(a.sites).reduce((x, y) => x + y, 0)).toBe(a.samples);
  });
  it('lists the hottest symbols outside the copy sites', () => {
    const a = side('a3-65536-stream-server', 'a3_server');
    expect(a.hottest.length).toBe(10);
    expect(a.hottest.every((h) => !['user_copy', 'send_copy', 'deferred_copy', 'recv_copy'].includes(h.site))).toBe(true);
  });
});

describe('hand-made stacks of other kernels', () => {
  it('arm64: __arch_copy_from_user under tcp_sendmsg_locked is the send copy', () => {
    expect(classify('a1_server', ['k:__arch_copy_from_user', 'k:_copy_from_iter', 'k:tcp_sendmsg_locked', 'k:tcp_sendmsg', 'k:__sys_sendto', 'u:__send'])).toBe('send_copy');
  });
  it('x86 5.x: copy_user_enhanced_fast_string under skb_copy_datagram_iter is the receive copy', () => {
    expect(classify('a1_client', ['k:copy_user_enhanced_fast_string', 'k:_copy_to_iter', 'k:__skb_datagram_iter', 'k:skb_copy_datagram_iter', 'k:tcp_recvmsg_locked', 'k:tcp_recvmsg'])).toBe('recv_copy');
  });
  it('x86 6.3+: rep_movs_alternative decides nothing by itself', () => {
    expect(classify('a1_server', ['k:rep_movs_alternative', 'k:_copy_from_iter', 'k:tcp_sendmsg_locked'])).toBe('send_copy');
    expect(classify('a1_server', ['k:rep_movs_alternative', 'k:some_driver_fn', 'k:ksys_write'])).toBe('other');
  });
  it('a copy under skb_copy_ubufs is deferred, even inside a recvmsg that processed the backlog', () => {
    expect(classify('a1_client', ['k:memcpy', 'k:skb_copy_ubufs', 'k:__netif_receive_skb_core', 'k:__do_softirq', 'k:do_softirq', 'k:__local_bh_enable_ip', 'k:release_sock', 'k:tcp_recvmsg'])).toBe('deferred_copy');
  });
  it('the errqueue read (completions) is zero-copy overhead, not a receive copy', () => {
    expect(classify('a1_server', ['k:_copy_to_iter', 'k:skb_copy_datagram_iter', 'k:ip_recv_error', 'k:inet_recv_error', 'k:tcp_recvmsg'])).toBe('zc_overhead');
  });
  it('a copy primitive in softirq with no known context is stack, never a copy by guess', () => {
    expect(classify('ksoftirqd/1', ['k:memcpy', 'k:unknown_helper', 'k:net_rx_action', 'k:__do_softirq', 'k:run_ksoftirqd'])).toBe('stack');
  });
  it('interrupts re-enabled: irq_off under cpu-clock, an ordinary leaf under cycles', () => {
    const frames = ['k:_raw_spin_unlock_irqrestore', 'k:sock_def_readable', 'k:tcp_data_queue', 'k:tcp_rcv_established', 'k:tcp_v4_do_rcv', 'k:tcp_v4_rcv'];
    expect(classify('a1_client', frames)).toBe('irq_off');
    expect(classify('a1_client', frames, 'cycles')).toBe('stack');
  });
  it('user space: the serialize is a user copy, the stamps and clocks are harness, the wrappers are stack', () => {
    expect(classify('a1_server', ['u:__memmove_avx_unaligned_erms', 'u:send_one', 'u:serve'])).toBe('user_copy');
    expect(classify('a1_server', ['u:__memcpy_evex_unaligned', 'u:msg_serialize', 'u:send_one'])).toBe('user_copy');
    expect(classify('a1_server', ['u:msg_stamp', 'u:send_one'])).toBe('harness');
    expect(classify('a1_server', ['u:__vdso_clock_gettime', 'u:now_ns'])).toBe('harness');
    expect(classify('a1_server', ['u:__libc_sendmsg', 'u:sendmsg_all'])).toBe('stack');
    expect(classify('a1_server', ['u:memcpy', 'u:json_write'])).toBe('harness');
  });
  it('another program: its own work is left out, an interrupt inside it is the CPU\'s network work', () => {
    expect(classifySample(sample('node', ['u:Builtins_LoadIC']), { comms: ['a1_server'], event: 'cpu-clock' })).toMatchObject({ foreign: true });
    expect(classify('node', ['k:__napi_poll', 'k:net_rx_action', 'k:handle_softirqs', 'k:__irq_exit_rcu', 'k:sysvec_call_function_single', 'k:asm_sysvec_call_function_single', 'u:Builtins_LoadIC'])).toBe('stack');
  });
  it('idle is excluded; an interrupt in idle is not', () => {
    expect(classify('swapper', ['k:pv_native_safe_halt', 'k:default_idle', 'k:do_idle', 'k:cpu_startup_entry'])).toBe('idle');
    expect(classify('swapper', ['k:tcp_v4_rcv', 'k:ip_local_deliver', 'k:net_rx_action', 'k:handle_softirqs', 'k:__irq_exit_rcu', 'k:sysvec_call_function_single', 'k:pv_native_safe_halt', 'k:do_idle'])).toBe('stack');
  });
  it('parses headers with timestamps and dsos with parentheses', () => {
    const text = 'V8 Worker 12/13 [000] 123.456789: cpu-clock: \n\t  c584f [unknown] (/memfd:sealed-9 (deleted))\n';
    const { samples, skipped } = parsePerfScript(text);
    expect(skipped).toBe(0);
    expect(samples[0]).toMatchObject({ comm: 'V8 Worker', cpu: 0, event: 'cpu-clock', frames: [{ symbol: '[unknown]', kernel: false }] });
  });
});
