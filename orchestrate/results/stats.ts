// Statistics over repetitions, shared by summary.csv, the plots and the peer
// baseline. Pure.

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Sample standard deviation ÷ mean; null with fewer than two values or a zero mean. */
export function coefficientOfVariation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (mean === 0) return null;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance) / mean;
}

// --- confidence intervals over repetitions ---------------------------------
//
// Method: a Welch t-interval on the logarithms. Throughput and CPU time per
// byte are positive and vary multiplicatively (a slower repetition is a few
// percent slower, whatever the level), so each repetition is taken as its
// log; the variant ÷ two_copy ratio is then exp(mean log variant − mean log
// two_copy) — the ratio of geometric means — and its 95 % interval is
// exp(difference ± t · standard error), with Welch's degrees of freedom (the
// two variances are not assumed equal). Analytic, so the same data always
// gives the same interval: no seed, no resampling.
//
// Why not a bootstrap: with 3 repetitions a resample of 3 values has only 10
// distinct outcomes, and the percentile interval is much too narrow (it
// cannot be wider than the range of the data). The t quantile pays for the
// few repetitions instead: 4.30 at 2 degrees of freedom against 1.96 for
// many. What the interval can claim with 3 repetitions: if the repetitions
// are independent draws whose logs are roughly normal, intervals built this
// way cover the true ratio 95 % of the time; it cannot detect a drift shared
// by all repetitions of a run, nor guard against a non-normal outlier
// (one bad repetition widens the interval rather than moving it far).

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 digits). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularized incomplete beta function I_x(a, b), by its continued fraction (Lentz). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - (lnGamma(a) + lnGamma(b) - lnGamma(a + b))) / a;
  const tiny = 1e-300;
  let f = 1;
  let c = 1;
  let d = 0;
  for (let i = 0; i <= 400; i++) {
    const m = i >> 1;
    const num = i === 0 ? 1 : i % 2 === 0 ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)) : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < 1e-14) break;
  }
  return front * (f - 1);
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional: Welch). */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t such that P(T ≤ t) = p, by bisection (monotone; exact to ~1e-10). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`tQuantile: p ${p}, df ${df}`);
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export const CONFIDENCE = 0.95;

/** A ratio (or a level) with its 95 % interval. `halfWidthPct`: the interval's half-width on the log scale, as a percentage (exp(h) − 1): the smallest difference these repetitions can tell from noise. */
export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
  halfWidthPct: number;
  df: number;
}

function logMoments(values: readonly number[]): { n: number; mean: number; variance: number } {
  const logs = values.map(Math.log);
  const n = logs.length;
  const mean = logs.reduce((s, v) => s + v, 0) / n;
  const variance = n < 2 ? NaN : logs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return { n, mean, variance };
}

function interval(logEstimate: number, se: number, df: number): Interval {
  // Identical repetitions (se 0): the interval is the point itself.
  const h = se === 0 ? 0 : tQuantile(1 - (1 - CONFIDENCE) / 2, df) * se;
  return { estimate: Math.exp(logEstimate), lo: Math.exp(logEstimate - h), hi: Math.exp(logEstimate + h), halfWidthPct: (Math.exp(h) - 1) * 100, df };
}

const positive = (values: readonly number[]) => values.filter((v) => Number.isFinite(v) && v > 0);

/** The geometric mean of positive values with its 95 % t-interval; null with fewer than two values. */
export function levelInterval(values: readonly number[]): Interval | null {
  const known = positive(values);
  if (known.length < 2) return null;
  const m = logMoments(known);
  return interval(m.mean, Math.sqrt(m.variance / m.n), m.n - 1);
}

/** `other` ÷ `base` (ratio of geometric means) with its 95 % Welch interval on the logs; null unless each has two positive values. */
export function ratioInterval(other: readonly number[], base: readonly number[]): Interval | null {
  const a = positive(other);
  const b = positive(base);
  if (a.length < 2 || b.length < 2) return null;
  const ma = logMoments(a);
  const mb = logMoments(b);
  const va = ma.variance / ma.n;
  const vb = mb.variance / mb.n;
  const se = Math.sqrt(va + vb);
  // Welch–Satterthwaite; where one side has no spread the other's n − 1 remains.
  const df = se === 0 ? Infinity : (va + vb) ** 2 / (va ** 2 / (ma.n - 1) + vb ** 2 / (mb.n - 1));
  return interval(ma.mean - mb.mean, se, df);
}
