// The sysctls a topology sets: names and values as the config takes them,
// shared by the topologies that set them (netns, ssh). Pure.
import { z } from 'zod';
import { patterned } from './fields.ts';

export const SYSCTL_KEY_PATTERN = /^net\.(core|ipv4|ipv6|unix)\.[a-z0-9_]+(\.[a-z0-9_]+)*$/;
export const SYSCTL_VALUE_PATTERN = /^[A-Za-z0-9_.-]+([ \t]+[A-Za-z0-9_.-]+)*$/;

const SysctlValue = z.union([z.number().int().nonnegative(), patterned(SYSCTL_VALUE_PATTERN, 'a sysctl value')], {
  error: 'expected a sysctl value: a number, or numbers separated by spaces',
});

/** `net.ipv4.tcp_wmem: "4096 16384 16777216"`, ...; empty by default. */
export const sysctlMap = z
  .record(patterned(SYSCTL_KEY_PATTERN, 'a net.* sysctl name'), SysctlValue, {
    error: 'expected a map of sysctl name to value',
  })
  .default({});
