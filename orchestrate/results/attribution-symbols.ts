// The one symbol table of copy attribution (DESIGN.md, "Copy attribution"):
// which frames of a sampled call stack say where the time went. Pure data;
// attribution.ts walks each stack from the leaf outwards against it.
//
// Names differ between kernels and architectures, so a copy site is never
// decided by one leaf name: a copy primitive (COPY_PRIMITIVES) decides
// nothing by itself; the first context frame (CONTEXT) met on the way out
// from the leaf says whose copy it is. A stack with no context frame falls to
// `stack` (it went through networking code) or `other` — never to a copy site.

export const SITES = [
  'user_copy',
  'send_copy',
  'deferred_copy',
  'recv_copy',
  'zc_overhead',
  'stack',
  'harness',
  'irq_off',
  'other',
] as const;
export type Site = (typeof SITES)[number];
export const COPY_SITES: readonly Site[] = ['user_copy', 'send_copy', 'deferred_copy', 'recv_copy'];

/** Leaf functions that copy bytes, kernel and user; a copy only where a context frame below says whose. */
export const COPY_PRIMITIVES = new Set([
  '_copy_from_iter', // iov_iter → kernel (sendmsg); x86 and arm64 since 4.x
  '_copy_to_iter', // kernel → iov_iter (recvmsg)
  '_copy_from_iter_nocache', // sk_route_caps NOCACHE_COPY variant
  '_copy_from_user', // generic
  '_copy_to_user',
  'copy_user_generic', // x86 < 6.3 (before the rep_movs_alternative rework)
  'copy_user_generic_string', // x86 ≤ 5.x without ERMS
  'copy_user_generic_unrolled', // x86 ≤ 5.x
  'copy_user_enhanced_fast_string', // x86 ≤ 6.2 with ERMS
  'rep_movs_alternative', // x86 ≥ 6.3
  '__copy_user_nocache', // x86 nocache copies
  '__arch_copy_from_user', // arm64
  '__arch_copy_to_user', // arm64
  'copy_page_from_iter', // page-wise helpers, inlined or not
  'copy_page_to_iter',
  'copy_page_from_iter_atomic',
  'csum_partial_copy_generic', // checksumming copy (no offload)
  'memcpy', // kernel and libc
  '__memcpy',
  '__pi_memcpy', // x86 ≥ 6.x position-independent alias (skb_copy_ubufs' page copies)
  'memcpy_orig', // x86 without FSRM
  'memmove',
  '__memmove',
  'memcpy_erms',
  'copy_mc_to_kernel',
]);

/** glibc's string functions carry the CPU feature in their name: __memmove_avx512_unaligned_erms, __memcpy_evex_unaligned. */
export const USER_COPY_LEAF = /^(__)?(memcpy|memmove|mempcpy)(_[a-z0-9_]+)?$/;

/** Copybench's own functions that copy the message in user space (c/msg.c, c/two_copy.c); libc's leaf memmove hides the immediate caller, so its caller's caller is here too. */
export const USER_COPY_CALLERS = new Set([
  'msg_serialize', // a1 sender: 8 fields → one buffer
  'msg_deserialize', // a1 receiver: one buffer → 8 fields
  'send_one', // calls msg_serialize (a1); a leaf memmove's frame skips msg_serialize
  'recv_one', // calls msg_deserialize (a1), likewise
]);

/** libc's system call wrappers: a sample there is the send or receive itself crossing into the kernel. */
export const SYSCALL_WRAPPERS = /^(__libc_|__GI___|__)?(send|sendto|sendmsg|recv|recvfrom|recvmsg|poll|ppoll|epoll_wait|read|write)(64)?$/;

/** Copybench's user functions that read zero-copy completions (c/zc.c). */
export const USER_ZC = /^zc_/;

/**
 * Context frames, met on the way out from the leaf; the first decides.
 * `copy`: a copy site when a copy primitive lies between it and the leaf,
 * else `otherwise`.
 */
export interface ContextRule {
  site: Site;
  copy?: Site;
}
export const CONTEXT: ReadonlyMap<string, ContextRule> = new Map<string, ContextRule>([
  // The deferred copy: a zero-copy skb leaving the sender's pages (veth's
  // dev_forward_skb, loopback, a tap, GSO fallback) gets private copies.
  ['skb_copy_ubufs', { site: 'deferred_copy' }],
  ['skb_orphan_frags', { site: 'deferred_copy' }],
  ['skb_orphan_frags_rx', { site: 'deferred_copy' }],
  // Zero-copy bookkeeping: pinning user pages, the notification, reading it.
  ['zerocopy_fill_skb_from_iter', { site: 'zc_overhead' }], // ≥ 6.10
  ['__zerocopy_sg_from_iter', { site: 'zc_overhead' }], // < 6.10
  ['skb_zerocopy_iter_stream', { site: 'zc_overhead' }],
  ['iov_iter_get_pages2', { site: 'zc_overhead' }],
  ['__iov_iter_get_pages_alloc', { site: 'zc_overhead' }],
  ['get_user_pages_fast', { site: 'zc_overhead' }],
  ['gup_fast_fallback', { site: 'zc_overhead' }], // ≥ 6.9
  ['internal_get_user_pages_fast', { site: 'zc_overhead' }], // < 6.9
  ['pin_user_pages_fast', { site: 'zc_overhead' }],
  ['msg_zerocopy_realloc', { site: 'zc_overhead' }],
  ['msg_zerocopy_alloc', { site: 'zc_overhead' }],
  ['msg_zerocopy_callback', { site: 'zc_overhead' }],
  ['__msg_zerocopy_callback', { site: 'zc_overhead' }],
  ['mm_account_pinned_pages', { site: 'zc_overhead' }],
  ['mm_unaccount_pinned_pages', { site: 'zc_overhead' }],
  ['sock_zerocopy_callback', { site: 'zc_overhead' }], // ≤ 5.x name
  ['ip_recv_error', { site: 'zc_overhead' }], // MSG_ERRQUEUE: completions read (its copy to user included)
  ['ipv6_recv_error', { site: 'zc_overhead' }],
  ['inet_recv_error', { site: 'zc_overhead' }],
  ['sock_recv_errqueue', { site: 'zc_overhead' }],
  // The send path: a copy below is the kernel copying from user memory.
  ['tcp_sendmsg_locked', { site: 'stack', copy: 'send_copy' }],
  ['tcp_sendmsg', { site: 'stack', copy: 'send_copy' }],
  ['udp_sendmsg', { site: 'stack', copy: 'send_copy' }],
  // The receive path: a copy below is the kernel copying to user memory.
  // (skb_copy_datagram_iter is no context: the errqueue read goes through it too.)
  ['tcp_recvmsg_locked', { site: 'stack', copy: 'recv_copy' }],
  ['tcp_recvmsg', { site: 'stack', copy: 'recv_copy' }],
  ['udp_recvmsg', { site: 'stack', copy: 'recv_copy' }],
  // Softirq and the device: network work outside any system call; a copy
  // here (none known) is no one's copy by guess.
  ['handle_softirqs', { site: 'stack' }], // ≥ 6.10
  ['__do_softirq', { site: 'stack' }], // < 6.10
  ['net_rx_action', { site: 'stack' }],
  ['process_backlog', { site: 'stack' }],
  ['__netif_receive_skb', { site: 'stack' }],
  ['tcp_v4_rcv', { site: 'stack' }],
  ['tcp_v6_rcv', { site: 'stack' }],
  ['__dev_queue_xmit', { site: 'stack' }],
  ['veth_xmit', { site: 'stack' }],
]);

/** Frames where an interrupt entered: frames beyond them are the interrupted context, not the sample's. */
export const IRQ_ENTRY = /^(asm_)?(sysvec_|common_interrupt|__sysvec_|irq_exit|__irq_exit_rcu|irq_exit_rcu|el1_interrupt|el0_interrupt|gic_handle_irq|do_IRQ)/;

/** Frames that are networking code: a stack with one of them and no context frame is `stack`, not `other`. */
export const NETWORK_FRAME =
  /^(tcp_|__tcp_|ip_|__ip_|ipv6_|inet_|__inet_|sock_|__sock_|sk_|__sk_|skb_|__skb_|kfree_skb|consume_skb|napi_|__napi_|net_|__net_|netif_|__netif_|dev_|__dev_|veth_|loopback_|__sys_(send|recv)|__x64_sys_(send|recv)|__arm64_sys_(send|recv)|___sys_(send|recv)|do_softirq|__local_bh_enable_ip|run_ksoftirqd|release_sock|lock_sock|__release_sock)/;

/**
 * Leaves where interrupts are enabled again. A cpu-clock sample is a timer
 * interrupt: it cannot land while interrupts are off, so time spent with
 * them off surfaces at the instruction that turns them back on — here. With
 * a PMU (cycles, sampled by NMI) these are ordinary leaves.
 */
export const IRQ_ENABLE_LEAVES = new Set([
  '_raw_spin_unlock_irqrestore',
  '_raw_spin_unlock_irq',
  '_raw_read_unlock_irqrestore',
  '_raw_write_unlock_irqrestore',
  '_raw_write_unlock_irq',
  'handle_softirqs', // local_irq_enable() before the handlers run (≥ 6.10)
  '__do_softirq', // the same, < 6.10
  'finish_task_switch', // the run-queue lock released with interrupts on, after a switch
  'finish_task_switch.isra.0',
  '__local_bh_enable_ip',
  'arch_local_irq_restore',
  'native_irq_enable',
  'irqentry_exit_to_user_mode',
  'exit_to_user_mode_loop',
]);

/** Kernel threads whose work is the network's or the CPU's, never another program's. */
export const KERNEL_HELPERS = /^(swapper|ksoftirqd\/\d+|kworker\/|napi\/|irq\/)/;

/** Idle: the sample is the CPU waiting (excluded from every share). */
export const IDLE_FRAME = /^(do_idle|cpu_startup_entry|cpuidle_enter|default_idle|pv_native_safe_halt|native_safe_halt|arch_cpu_idle|cpu_idle_poll|poll_idle|intel_idle|acpi_idle_do_entry|mwait_idle)/;

/** The dso of kernel frames in `perf script`. */
export const KERNEL_DSO = /^\[kernel|\.ko$/;
