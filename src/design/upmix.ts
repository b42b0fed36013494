// Stereo to L/R/C upmix by mid/side decomposition, with a centre that is (least-squares)
// uncorrelated with the side signal. Float64 design and reference algorithm; block-based, with
// one division per block, so that a fixed-point version can mirror it (plan at the end).
//
// Signals (per frame n):
//   M = (L + R) / 2                 mid
//   S = (L - R) / 2                 side
//   C = M - g S                     centre
//   L' = L - C = (1 + g) S          upmixed left
//   R' = R - C = -(1 - g) S         upmixed right
//
// Reconstruction identity (exact in real and in integer arithmetic, a = b = 1):
//   L = L' + C,   R = R' + C.
// In float64, L' is rounded once, so |L' + C - L| <= 2^-52 max(|L|, |C|). Also L' - R' = L - R
// exactly (the side is passed through untouched) and L' + R' = 2 g S.
//
// Estimator. g minimises the smoothed energy of C, i.e. makes C orthogonal to S, with a ridge
// (Tikhonov) term proportional to the mid energy and an absolute floor:
//   g_k = E_MS[k] / (E_SS[k] + lambda E_MM[k] + eps),
//   E_XY[k] = alpha E_XY[k-1] + (1 - alpha) (1/B) sum_{n in block k} X[n] Y[n],
//   alpha = exp(-B / (tau fs)),
// B = blockSize frames, tau = timeConstantS, lambda = relativeFloor, eps = absoluteFloor (mean
// square, full scale = 1). E_XY starts at 0 and g starts at 0 (C = M).
// - only L (R = 0): M = S, g = 1/(1 + lambda), C = M lambda/(1 + lambda): leakage (lambda/2)^2
//   of the input energy (-66 dB for lambda = 1e-3). Only R: g = -1/(1 + lambda), the same.
// - L = R: S = 0, so C = M = L and L' = R' = 0 exactly, whatever g is.
// - one amplitude-panned source X (L = a X, R = b X; m = (a+b)/2, s = (a-b)/2):
//   C = m X lambda m^2 / (s^2 + lambda m^2). So the centre takes the sources panned within
//   |s/m| ~ sqrt(lambda) of the centre (+/-0.55 dB inter-channel level difference for lambda =
//   1e-3, half amplitude at the edge) and nothing from sources panned further out: lambda sets
//   the width of the centre image, and it makes the division well conditioned (below).
// - bound: |E_MS| <= sqrt(E_MM E_SS) (Cauchy-Schwarz holds for the smoothed sums: they are
//   positive-weighted inner products), so |g| <= 1/(2 sqrt(lambda)) = upmixMaxGain (15.8 for
//   1e-3). The smoothed energy of C = M - g S is at most E_MM.
// - energy: sum(L'^2 + R'^2) + 2 sum(C^2) = sum(L^2 + R^2) - 4 sum(g C S); the last term
//   vanishes when C is orthogonal to S, which is what g is chosen for. A centre speaker fed with
//   sqrt(2) C therefore keeps the total power; that +3 dB trim belongs to the renderer.
// - limitation of one broadband gain: with several simultaneous sources only their combined
//   statistics count. Two independent equal-level sources hard left and hard right give g = 0
//   and C = M, half of each (-6 dB) in the centre. Per-band upmixing would be needed for that.
//
// Gain changes per block: block k's statistics (the block is buffered anyway) give g_k; across
// the block the applied gain ramps linearly from g_{k-1} to g_k, reaching g_k on the last frame
// (g_n = g_{k-1} + (g_k - g_{k-1}) (n+1)/B), or is held at g_k ('hold').
//
// Adaptation time constant: the statistics follow a step with exp(-t/tau) (block granularity,
// exact at block ends); for a pan step at constant level (a source moving from hard left to hard
// right) g itself moves as g_final + (g_initial - g_final) exp(-t/tau). Default tau = 50 ms.
// Through pauses the gain holds: all statistics decay by the same factor, so their ratio stays
// (until the -120 dB floor takes over). tau trades tracking of source switches (a hard-left
// onset after hard-right material leaks into C for about tau) against gain modulation on
// stationary material (std of g on the test noise mixture: 0.023 at 50 ms, 0.037 at 20 ms).
//
// Fixed-point plan (for the Q31 program; round half up everywhere, saturation):
// - M = sat32((L + R + 1) >> 1), S = sat32((L - R + 1) >> 1), Q31 (only S = 2^31 saturates).
// - block sums P_XY = sum (X Y + 2^(h-1)) >> h, 64-bit, X Y a Q62 product, h = ceil(log2 B)
//   (6 for B = 48), so |P| <= B 2^(62-h) <= 2^62: no overflow. P is a block sum, not a mean: the
//   1/B cancels in g; eps is scaled by B 2^(62-h).
// - smoothing E += round((P - E) beta) with beta = 1 - alpha in Q31 (0.0198 for the defaults);
//   (P - E) is int64, so the 64x32 product is formed from 32-bit halves (as src/fixed/arith.ts).
// - D = E_SS + round(lambda_Q31 E_MM) + eps_q >= eps_q > 0, D < 2^63.
// - the one division per block: normalise D by count-leading-zeros to a Q31 mantissa d in
//   [0.5, 1); reciprocal y ~ 1/d in Q2.30 from the linear seed 48/17 - 32/17 d (error <= 1/17)
//   and three Newton steps y <- y (2 - d y) (error < 2^-29, set by rounding); multiply by the
//   numerator E_MS shifted by the same normalisation minus 5 guard bits (|g| < 16), round, clamp
//   to +/-upmixMaxGain, keep g in Q4.27 (int32). All integer multiplies, bit-exact in the TS
//   reference; no hardware divide needed (SDIV is 32/32 only).
// - ramp: delta = g_k - g_{k-1} (|delta| < 32, int32 Q5.26 or int64), per frame
//   g_n = g_{k-1} + round(delta (n+1) recip_B) with recip_B = round(2^31/B) in Q31, the last
//   frame set to g_k exactly; or hold g_k (no per-frame cost).
// - C = sat32(((M << 27) - g_n S + 2^26) >> 27) (|g S| < 2^62, no overflow),
//   L' = sat32(L - C), R' = sat32(R - C): L = L' + C exactly unless an output saturates (C and
//   L' can exceed full scale only when |g| > 1 meets a large side sample; give the outputs a
//   scale of 1/2 if that must never clip).

export interface UpmixParams {
  /** Frames per block (the program's block size); statistics and gains change once per block. */
  blockSize: number;
  /** Hz. */
  sampleRate: number;
  /** One-pole time constant of the block statistics, seconds (default 0.05). */
  timeConstantS: number;
  /** Ridge lambda relative to the mid energy (default 1e-3): the width of the centre image and
   *  the hard-pan leakage (lambda/2)^2; bounds |g| by 1/(2 sqrt(lambda)). */
  relativeFloor: number;
  /** Absolute floor eps on the denominator, mean square re full scale (default 1e-12, -120 dB):
   *  silence gives g = 0, C = M. */
  absoluteFloor: number;
  /** Gain between block updates: linear ramp from the previous block's gain, or held. */
  gainInterpolation: 'linear' | 'hold';
}

export const UPMIX_DEFAULT_TIME_CONSTANT_S = 0.05;
export const UPMIX_DEFAULT_RELATIVE_FLOOR = 1e-3;
export const UPMIX_DEFAULT_ABSOLUTE_FLOOR = 1e-12;

export function defaultUpmixParams(sampleRate = 48000, blockSize = 48): UpmixParams {
  return {
    blockSize,
    sampleRate,
    timeConstantS: UPMIX_DEFAULT_TIME_CONSTANT_S,
    relativeFloor: UPMIX_DEFAULT_RELATIVE_FLOOR,
    absoluteFloor: UPMIX_DEFAULT_ABSOLUTE_FLOOR,
    gainInterpolation: 'linear',
  };
}

/** Throws a RangeError naming the first invalid field. */
export function checkUpmixParams(p: UpmixParams): void {
  const bad = (field: string, why: string, v: unknown) => {
    throw new RangeError(`upmix: ${field}: ${why}, got ${String(v)}`);
  };
  if (!Number.isInteger(p.blockSize) || p.blockSize < 1) bad('blockSize', 'expected an integer >= 1', p.blockSize);
  if (!(Number.isFinite(p.sampleRate) && p.sampleRate > 0)) bad('sampleRate', 'expected Hz > 0', p.sampleRate);
  if (!(Number.isFinite(p.timeConstantS) && p.timeConstantS > 0)) bad('timeConstantS', 'expected seconds > 0', p.timeConstantS);
  if (!(Number.isFinite(p.relativeFloor) && p.relativeFloor > 0)) bad('relativeFloor', 'expected > 0', p.relativeFloor);
  if (!(Number.isFinite(p.absoluteFloor) && p.absoluteFloor > 0)) bad('absoluteFloor', 'expected > 0', p.absoluteFloor);
  if (p.gainInterpolation !== 'linear' && p.gainInterpolation !== 'hold') bad('gainInterpolation', "expected 'linear' or 'hold'", p.gainInterpolation);
}

/** alpha = exp(-frames / (tau fs)): the statistics' pole for a block of `frames` frames. */
export function upmixSmoothingCoef(p: UpmixParams, frames = p.blockSize): number {
  return Math.exp(-frames / (p.timeConstantS * p.sampleRate));
}

/** Bound on |g|: 1 / (2 sqrt(lambda)). */
export function upmixMaxGain(relativeFloor: number): number {
  return 1 / (2 * Math.sqrt(relativeFloor));
}

/** Mean squares / mean cross product of mid and side (per frame, full scale = 1). */
export interface UpmixStats {
  mm: number;
  ms: number;
  ss: number;
}

export const zeroUpmixStats = (): UpmixStats => ({ mm: 0, ms: 0, ss: 0 });

/** Block means of M^2, M S, S^2 over frames [offset, offset + n). */
export function upmixBlockStats(l: ArrayLike<number>, r: ArrayLike<number>, offset: number, n: number): UpmixStats {
  let mm = 0, ms = 0, ss = 0;
  for (let i = offset; i < offset + n; i++) {
    const m = (l[i] + r[i]) / 2;
    const s = (l[i] - r[i]) / 2;
    mm += m * m;
    ms += m * s;
    ss += s * s;
  }
  return { mm: mm / n, ms: ms / n, ss: ss / n };
}

/** One-pole update E <- alpha E + (1 - alpha) P. */
export function smoothUpmixStats(prev: UpmixStats, block: UpmixStats, alpha: number): UpmixStats {
  const b = 1 - alpha;
  return {
    mm: alpha * prev.mm + b * block.mm,
    ms: alpha * prev.ms + b * block.ms,
    ss: alpha * prev.ss + b * block.ss,
  };
}

/**
 * The estimator: g = E_MS / (E_SS + lambda E_MM + eps), clamped to +/-upmixMaxGain (a bound the
 * exact value already respects; the clamp is for a rounded fixed-point quotient).
 */
export function upmixGain(e: UpmixStats, relativeFloor: number, absoluteFloor: number): number {
  const d = e.ss + relativeFloor * e.mm + absoluteFloor;
  const g = e.ms / d;
  const gMax = upmixMaxGain(relativeFloor);
  return g > gMax ? gMax : g < -gMax ? -gMax : g;
}

export interface UpmixOutput {
  l: Float64Array;
  r: Float64Array;
  c: Float64Array;
}

/** Block-wise float64 upmix with state (statistics and the last gain). */
export class UpmixFloat {
  readonly params: UpmixParams;
  private readonly alphaBlock: number;
  private e: UpmixStats = zeroUpmixStats();
  private g = 0;

  constructor(p: UpmixParams) {
    checkUpmixParams(p);
    this.params = { ...p };
    this.alphaBlock = upmixSmoothingCoef(p);
  }

  /** Gain reached at the end of the last processed block. */
  get gain(): number {
    return this.g;
  }

  /** Smoothed statistics after the last processed block. */
  get stats(): UpmixStats {
    return { ...this.e };
  }

  reset(): void {
    this.e = zeroUpmixStats();
    this.g = 0;
  }

  /** One block of n <= blockSize frames (a shorter last block uses alpha for its length). */
  process(l: ArrayLike<number>, r: ArrayLike<number>, n = l.length): UpmixOutput {
    const out = { l: new Float64Array(n), r: new Float64Array(n), c: new Float64Array(n) };
    this.processInto(l, r, 0, n, out, 0);
    return out;
  }

  /** Processes frames [inOffset, inOffset + n) into out at outOffset; returns the block's gain. */
  processInto(l: ArrayLike<number>, r: ArrayLike<number>, inOffset: number, n: number, out: UpmixOutput, outOffset: number): number {
    const p = this.params;
    if (!Number.isInteger(n) || n < 1 || n > p.blockSize) throw new RangeError(`upmix: block of ${n} frames (expected 1..${p.blockSize})`);
    if (l.length < inOffset + n || r.length < inOffset + n) throw new RangeError('upmix: input shorter than the block');
    const alpha = n === p.blockSize ? this.alphaBlock : upmixSmoothingCoef(p, n);
    this.e = smoothUpmixStats(this.e, upmixBlockStats(l, r, inOffset, n), alpha);
    const g0 = this.g;
    const g1 = upmixGain(this.e, p.relativeFloor, p.absoluteFloor);
    const dg = p.gainInterpolation === 'linear' ? g1 - g0 : 0;
    for (let i = 0; i < n; i++) {
      const x = l[inOffset + i];
      const y = r[inOffset + i];
      const m = (x + y) / 2;
      const s = (x - y) / 2;
      const g = dg === 0 ? g1 : g0 + (dg * (i + 1)) / n;
      const c = m - g * s;
      out.c[outOffset + i] = c;
      out.l[outOffset + i] = x - c;
      out.r[outOffset + i] = y - c;
    }
    this.g = g1;
    return g1;
  }
}

export interface UpmixSignalOutput extends UpmixOutput {
  /** g_k per block (the value reached at the end of block k). */
  blockGains: Float64Array;
}

/** Whole-signal upmix in blocks of blockSize frames (the last block may be shorter). */
export function upmixSignal(l: ArrayLike<number>, r: ArrayLike<number>, p: UpmixParams): UpmixSignalOutput {
  if (l.length !== r.length) throw new RangeError(`upmix: L has ${l.length} frames, R has ${r.length}`);
  const u = new UpmixFloat(p);
  const n = l.length;
  const out = { l: new Float64Array(n), r: new Float64Array(n), c: new Float64Array(n) };
  const blocks = Math.ceil(n / p.blockSize);
  const blockGains = new Float64Array(blocks);
  for (let k = 0; k < blocks; k++) {
    const off = k * p.blockSize;
    blockGains[k] = u.processInto(l, r, off, Math.min(p.blockSize, n - off), out, off);
  }
  return { ...out, blockGains };
}
