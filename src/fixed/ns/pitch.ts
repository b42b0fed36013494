// Noise suppressor, stage 2: streaming pitch tracker (period search by normalized cross-correlation,
// Viterbi trajectory across frames). Integer reference; src/fixed/blocks/ns/pitch.c is bit-exact
// with it (every output and every state word).
//
// Called once per 480-sample hop of 48 kHz int16 audio. Each call appends the hop and estimates the
// period (60..768 samples, 800..62.5 Hz) of the most recent 20 ms (960 samples):
//
//  1. Decimation to 8 kHz (factor 6): a 32-tap Q15 low-pass (-6 dB at 2 kHz) evaluated only at every
//     6th input sample, y = sat16(floor((sum_j h[j] x[n-j] + 2^14) / 2^15)); 80 new decimated samples
//     per hop, the decimated window is the last 160. 8 kHz rather than 12 kHz: the coarse search is
//     the hot loop (lags x samples), voices of 62.5..800 Hz keep several harmonics below 2 kHz, and
//     the 48 kHz refinement restores the resolution.
//  2. Coarse cross-correlation at decimated lags 10..128 (60..768 at 48 kHz): xc(tau) = sum over the
//     window of y[n] y[n-tau], exact 64-bit sums. Only the newest hop's half is computed per call
//     (80 x 119 MACs); the older half is the previous call's, kept in the state. The window energy E0
//     likewise (two half-window energies); the lagged energies E(tau) are one 160-sample sum, then an
//     exact O(1) slide per lag. Lag 5 is computed too, only for the lobe test of step 4.
//  3. Normalized correlation rho = xc / sqrt(E0 E(tau)) in signed Q15 (normRhoQ15): a table
//     reciprocal square root of each energy (rsqrtQ15) and the top 15 bits of |xc|, multiplied in
//     32 bits and shifted back: no division, no 128-bit product (error bound: rhoErrorBoundQ15, 17
//     LSB). Then a half-lag grid
//     g (237 points, lags 10, 10.5, ..., 128): g[2k] = max(0, rho(tau_k)), g[2k+1] = an 8-tap
//     half-sample interpolation of the signed rho, clamped to [0, 32767]. Why: an off-grid peak of a
//     band-limited correlation loses about cos(pi f d / 8000) at grid offset d, while a multiple of
//     the period may sit on the grid and win; halving d keeps them comparable.
//  4. Viterbi over the 119 coarse lags (states). Lobe test: when rho(5) > rho(10), lag 10 still lies
//     on the lobe around lag 0 (low-pitched or low-pass signals), so the first falling run of g gets no
//     credit. Observation cost obs(k) = 32767 - floor(pk w_k / 2^15), where pk = max of g within half
//     a lag of tau_k and w_k = 1 - 0.05 log2(tau_k / 10) (Q15) is a mild preference for the shorter of
//     near-equal candidates (proportional to rho, so unvoiced frames do not drift). Transition cost
//     W |log2(tau_i / tau_j)|, W = 16384 (0.5 in rho units per octave): the min over predecessors is
//     an exact L1 distance transform on the lag line (forward then backward pass with the per-step
//     costs stepCostQ15), O(states). Accumulated costs are renormalized to min 0. Decision = first
//     argmin at this frame (no lookahead). Until the history covers window + longest lag (hop 4),
//     long lags are judged on partial overlaps, so the accumulated costs are cleared after each of
//     the first 3 hops (decisions memoryless) and the trajectory starts at hop 4.
//  5. Refinement at 48 kHz: the best g within one lag of the decision; a parabola through it and its
//     two half-grid neighbours gives the centre 3 (2 tau + q) + delta (|delta| <= 2, rounded half up);
//     the 48 kHz normalized correlation over the 960-sample window is evaluated at the four lags
//     lo..lo+3, lo = 2 floor((centre - 1) / 2) clamped to 60..764 (even, so the C multiplies aligned
//     sample pairs; the four cover centre-1..centre+1), and the best (ties: shorter) is the period.
//     periodSamples = 0 and correlationQ15 = 0 when no lag there correlates positively (silence).
//
// Arithmetic: every value is an integer; products int16 x int16 (< 2^30) summed into 64-bit totals
// (< 2^40 here, exact in a Number). The 64-bit totals kept in the state are split into two int32
// words (low word first, as its two's-complement bits; high word signed). The two sample histories
// hold two int16 per state word (packSamples), so the C multiplies sample pairs (SMLALD on the DSP
// cores). Right shifts of signed values are floors (arithmetic shifts); the only division is the
// parabola's (floor division).
//
// Cost (Cortex-M4, QEMU instruction count of the C): about 46k instructions per hop, 4.6 million
// per second of audio; 9.4k dual MACs (coarse 4.8k, refinement 1.9k, decimation 1.3k, energies).
import { sat16 } from '../arith.ts';

// ---------------------------------------------------------------------------------------------
// Configuration

export const PITCH_SAMPLE_RATE = 48000;
export const PITCH_HOP_SAMPLES = 480;
export const PITCH_WINDOW_SAMPLES = 960;
export const PITCH_MIN_PERIOD_SAMPLES = 60;
export const PITCH_MAX_PERIOD_SAMPLES = 768;
export const PITCH_DECIMATION = 6;
export const PITCH_LOWPASS_TAPS = 32;
/** Low-pass cutoff (-6 dB) in Hz of the decimation filter. */
export const PITCH_LOWPASS_CUTOFF_HZ = 2000;
const HOP_D = PITCH_HOP_SAMPLES / PITCH_DECIMATION; // 80
const WINDOW_D = PITCH_WINDOW_SAMPLES / PITCH_DECIMATION; // 160
const MIN_LAG_D = PITCH_MIN_PERIOD_SAMPLES / PITCH_DECIMATION; // 10
const MAX_LAG_D = PITCH_MAX_PERIOD_SAMPLES / PITCH_DECIMATION; // 128
const N_LAGS = MAX_LAG_D - MIN_LAG_D + 1; // 119
const HIST48 = PITCH_WINDOW_SAMPLES + PITCH_MAX_PERIOD_SAMPLES; // 1728
const HIST_D = WINDOW_D + MAX_LAG_D; // 288
/** 48 kHz refinement: this many consecutive lags from an even lag, covering centre-1..centre+1. */
export const PITCH_REFINE_LAGS = 4;
/** Viterbi transition cost per octave of period change, in Q15 rho units (0.5). */
export const PITCH_TRANSITION_COST_PER_OCTAVE_Q15 = 16384;
/** Shorter-lag preference: rho weight falls by this fraction per octave above the minimum lag. */
export const PITCH_SHORT_LAG_PREFERENCE_PER_OCTAVE = 0.05;
const RSQRT_TABLE_SIZE = 193;
const HALF_LAG_TAPS = 8;
const LOBE_LAG_D = MIN_LAG_D / 2; // 5
const FULL_HISTORY_HOPS = Math.ceil(HIST48 / PITCH_HOP_SAMPLES); // 4

export interface PitchConfig {
  sampleRate: number;
  hopSamples: number;
  windowSamples: number;
  minPeriodSamples: number;
  maxPeriodSamples: number;
  decimation: number;
  decimatedRate: number;
  hopDecimated: number;
  windowDecimated: number;
  minLagDecimated: number;
  maxLagDecimated: number;
  /** Viterbi states = coarse lags minLagDecimated..maxLagDecimated. */
  lagStates: number;
  lowpassTaps: number;
  lowpassCutoffHz: number;
  historySamples: number;
  historyDecimated: number;
  refineLags: number;
  transitionCostPerOctaveQ15: number;
  shortLagPreferencePerOctave: number;
}

export function pitchConfig(): PitchConfig {
  return {
    sampleRate: PITCH_SAMPLE_RATE,
    hopSamples: PITCH_HOP_SAMPLES,
    windowSamples: PITCH_WINDOW_SAMPLES,
    minPeriodSamples: PITCH_MIN_PERIOD_SAMPLES,
    maxPeriodSamples: PITCH_MAX_PERIOD_SAMPLES,
    decimation: PITCH_DECIMATION,
    decimatedRate: PITCH_SAMPLE_RATE / PITCH_DECIMATION,
    hopDecimated: HOP_D,
    windowDecimated: WINDOW_D,
    minLagDecimated: MIN_LAG_D,
    maxLagDecimated: MAX_LAG_D,
    lagStates: N_LAGS,
    lowpassTaps: PITCH_LOWPASS_TAPS,
    lowpassCutoffHz: PITCH_LOWPASS_CUTOFF_HZ,
    historySamples: HIST48,
    historyDecimated: HIST_D,
    refineLags: PITCH_REFINE_LAGS,
    transitionCostPerOctaveQ15: PITCH_TRANSITION_COST_PER_OCTAVE_Q15,
    shortLagPreferencePerOctave: PITCH_SHORT_LAG_PREFERENCE_PER_OCTAVE,
  };
}

// ---------------------------------------------------------------------------------------------
// Tables

export interface PitchTables {
  /** Decimation low-pass, Q15, 32 taps (h[0] multiplies the newest sample). Documentation and
   *  tests; the C reads lowpassPairsQ15. */
  lowpassQ15: Int16Array;
  /** The same taps in pairs, 16 words: word k = h[2k+1] (low half) | h[2k] (high half), matching the
   *  sample pairs of the history (the decimation points are odd samples). C: const int32_t *. */
  lowpassPairsQ15: Int32Array;
  /** round(2^15 / sqrt(1 + k/64)), k = 0..192 (32768..16384). C: const int32_t *. */
  rsqrtQ15: Int32Array;
  /** Viterbi: cost of stepping from coarse lag k to k+1 (either way), round(W log2((k+11)/(k+10))),
   *  118 entries. C: const int32_t *. */
  stepCostQ15: Int32Array;
  /** Viterbi: rho weight per coarse lag, round(32767 (1 - 0.05 log2(tau/10))), 119 entries.
   *  C: const int32_t *. */
  lagWeightQ15: Int32Array;
  /** Half-lag interpolator, Q15, the outer half of 8 symmetric taps (offsets 3.5, 2.5, 1.5, 0.5):
   *  rho(k + 1/2) = sum_{i<4} h[i] (rho(k - 3 + i) + rho(k + 4 - i)). C: const int32_t *. */
  halfLagQ15: Int32Array;
}

function besselI0(x: number): number {
  let s = 1;
  let t = 1;
  for (let k = 1; k < 40; k++) {
    t *= (x / (2 * k)) ** 2;
    s += t;
  }
  return s;
}

/** Windowed-sinc low-pass (Kaiser, beta 6), unity DC gain, rounded to Q15 with the rounding residue
 *  put on the centre taps so the taps sum to exactly 32768. */
function designLowpassQ15(): Int16Array {
  const n = PITCH_LOWPASS_TAPS;
  const fc = PITCH_LOWPASS_CUTOFF_HZ / PITCH_SAMPLE_RATE;
  const beta = 6;
  const h = new Float64Array(n);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const m = j - (n - 1) / 2;
    const sinc = 2 * fc * (m === 0 ? 1 : Math.sin(2 * Math.PI * fc * m) / (2 * Math.PI * fc * m));
    const r = (2 * j) / (n - 1) - 1;
    h[j] = sinc * besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r)));
    sum += h[j];
  }
  const q = new Int16Array(n);
  let qs = 0;
  for (let j = 0; j < n; j++) {
    q[j] = Math.round((h[j] / sum) * 32768);
    qs += q[j];
  }
  // The residue goes on the two centre taps (linear phase kept to within one LSB).
  const residue = 32768 - qs;
  const half = Math.floor(residue / 2);
  q[n / 2 - 1] += half;
  q[n / 2] += residue - half;
  return q;
}

/** Half-sample interpolator: Kaiser-windowed sinc at offsets -3.5..3.5, unity DC gain in Q15. */
function designHalfLagQ15(): Int32Array {
  const n = HALF_LAG_TAPS;
  const beta = 5;
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const t = i - (n - 1) / 2; // -3.5..3.5
    const r = t / (n / 2);
    w[i] = (Math.sin(Math.PI * t) / (Math.PI * t)) * besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r)));
    sum += w[i];
  }
  return Int32Array.from(w.subarray(0, n / 2), (v) => Math.round((v / sum) * 32768));
}

/** Fresh copies of every table the tracker reads (the C gets them as const arrays). */
export function pitchTables(): PitchTables {
  const rsqrtQ15 = new Int32Array(RSQRT_TABLE_SIZE);
  for (let k = 0; k < RSQRT_TABLE_SIZE; k++) rsqrtQ15[k] = Math.round(32768 / Math.sqrt(1 + k / 64));
  const stepCostQ15 = new Int32Array(N_LAGS - 1);
  for (let k = 0; k < N_LAGS - 1; k++) {
    const t = MIN_LAG_D + k;
    stepCostQ15[k] = Math.round(PITCH_TRANSITION_COST_PER_OCTAVE_Q15 * Math.log2((t + 1) / t));
  }
  const lagWeightQ15 = new Int32Array(N_LAGS);
  for (let k = 0; k < N_LAGS; k++) {
    const t = MIN_LAG_D + k;
    lagWeightQ15[k] = Math.round(32767 * (1 - PITCH_SHORT_LAG_PREFERENCE_PER_OCTAVE * Math.log2(t / MIN_LAG_D)));
  }
  const lowpassQ15 = designLowpassQ15();
  const lowpassPairsQ15 = new Int32Array(PITCH_LOWPASS_TAPS / 2);
  for (let k = 0; k < lowpassPairsQ15.length; k++) lowpassPairsQ15[k] = (lowpassQ15[2 * k + 1] & 0xffff) | (lowpassQ15[2 * k] << 16);
  return { lowpassQ15, lowpassPairsQ15, rsqrtQ15, stepCostQ15, lagWeightQ15, halfLagQ15: designHalfLagQ15() };
}

/** The tables the C kernel takes, in its parameter order, with their C element types. */
export const PITCH_TABLE_CTYPES = {
  lowpassPairsQ15: 'int32_t',
  rsqrtQ15: 'int32_t',
  stepCostQ15: 'int32_t',
  lagWeightQ15: 'int32_t',
  halfLagQ15: 'int32_t',
} as const satisfies Partial<Record<keyof PitchTables, 'int32_t'>>;

/** C definitions of those tables, named prefix + key (e.g. arrayc_ns_pitch_rsqrtQ15). */
export function pitchTablesC(t: PitchTables = pitchTables(), prefix = 'arrayc_ns_pitch_'): string {
  return (Object.keys(PITCH_TABLE_CTYPES) as (keyof typeof PITCH_TABLE_CTYPES)[])
    .map((k) => `static const ${PITCH_TABLE_CTYPES[k]} ${prefix}${k}[${t[k].length}] __attribute__((unused)) = {${Array.from(t[k]).join(',')}};\n`)
    .join('');
}

// ---------------------------------------------------------------------------------------------
// State

/** Word offsets of the int32 state (zero-filled at start). */
export const PITCH_STATE = {
  /** 864 words: 48 kHz input history, 1728 samples oldest first, two per word (packSamples). */
  history48: 0,
  /** 144 words: 8 kHz decimated history, 288 samples oldest first, two per word. */
  historyDecimated: HIST48 / 2,
  /** 119 x 2 words: previous hop's half of the coarse cross-correlation per lag (64-bit: low, high). */
  xcPrevHalf: (HIST48 + HIST_D) / 2,
  /** 2 words: the same at decimated lag 5 (the lag-0 lobe test). */
  xcPrevHalfLobe: (HIST48 + HIST_D) / 2 + 2 * N_LAGS,
  /** 2 words: previous hop's energy of its 80 decimated samples (64-bit). */
  energyPrevHalfDecimated: (HIST48 + HIST_D) / 2 + 2 * N_LAGS + 2,
  /** 2 words: previous hop's energy of its 480 input samples (64-bit). */
  energyPrevHalf48: (HIST48 + HIST_D) / 2 + 2 * N_LAGS + 4,
  /** 119 words: Viterbi accumulated cost per coarse lag (min 0 after each frame). */
  viterbiCost: (HIST48 + HIST_D) / 2 + 2 * N_LAGS + 6,
  /** 1 word: hops seen, saturating at 4 (the first hop whose history covers window + longest lag). */
  hopsSeen: (HIST48 + HIST_D) / 2 + 2 * N_LAGS + 6 + N_LAGS,
  length: (HIST48 + HIST_D) / 2 + 2 * N_LAGS + 7 + N_LAGS,
} as const;

export function pitchStateLength(): number {
  return PITCH_STATE.length;
}

export function createPitchState(): Int32Array {
  return new Int32Array(PITCH_STATE.length);
}

const TWO32 = 4294967296;

/** Sample pairs in one int32 word: sample 2k in the low half, 2k+1 in the high half (two's
 *  complement halves), so the C multiplies pairs with SMLALD on the DSP cores. */
export function packSamples(state: Int32Array, at: number, samples: ArrayLike<number>): void {
  for (let k = 0; k < samples.length / 2; k++) state[at + k] = (samples[2 * k] & 0xffff) | (samples[2 * k + 1] << 16);
}

export function unpackSamples(state: Int32Array, at: number, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let k = 0; k < n / 2; k++) {
    const w = state[at + k];
    out[2 * k] = (w << 16) >> 16;
    out[2 * k + 1] = w >> 16;
  }
  return out;
}

function get64(s: Int32Array, at: number): number {
  return s[at + 1] * TWO32 + (s[at] >>> 0);
}

function set64(s: Int32Array, at: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  s[at] = (v - hi * TWO32) | 0;
  s[at + 1] = hi;
}

// ---------------------------------------------------------------------------------------------
// Normalized correlation

/** Number of significant bits of a positive integer below 2^53. */
function bitLength(v: number): number {
  const hi = Math.floor(v / TWO32);
  return hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(v);
}

/**
 * Reciprocal square root of an integer e >= 1: returns [r, p] with 1/sqrt(e) ~= r / 2^p,
 * r in [16384, 32768]. Steps: n = bit length of e; j = floor((n - 23) / 2); m = e / 4^j
 * (floor for j >= 0, exact left shift otherwise), so m is in [2^22, 2^24); i = floor(m / 2^16) - 64,
 * f = m mod 2^16; r = R[i] - floor((R[i] - R[i+1]) f / 2^16); p = 26 + j.
 */
export function rsqrtQ15(e: number, table: Int32Array): [number, number] {
  const n = bitLength(e);
  const j = Math.floor((n - 23) / 2);
  const m = j >= 0 ? Math.floor(e / 2 ** (2 * j)) : e * 2 ** (-2 * j);
  const i = Math.floor(m / 65536) - 64;
  const f = m % 65536;
  const r0 = table[i];
  const r = r0 - Math.floor(((r0 - table[i + 1]) * f) / 65536);
  return [r, 26 + j];
}

/**
 * rho = c / sqrt(E0 E) in Q15, given [r0, p0] = rsqrtQ15(E0). c <= 0 or e <= 0 -> 0. Otherwise
 * [r, p] = rsqrtQ15(e); s = bitLength(c) - 15; cm = c / 2^s (floor for s >= 0, exact left shift
 * otherwise), so cm is in [2^14, 2^15); t = floor(cm r / 2^15) (in [2^13, 2^15]); q = t r0 (< 2^31);
 * z = p0 + p - s - 30; rho = z <= 0 ? 32767 : min(32767, floor(q / 2^z)). Past the one shift of c
 * every step is 32-bit.
 */
export function normRhoQ15(c: number, e: number, r0: number, p0: number, table: Int32Array): number {
  if (c <= 0 || e <= 0) return 0;
  const [r, p] = rsqrtQ15(e, table);
  const s = bitLength(c) - 15;
  const cm = s >= 0 ? Math.floor(c / 2 ** s) : c * 2 ** -s;
  const t = Math.floor((cm * r) / 32768);
  const q = t * r0;
  const z = p0 + p - s - 30;
  if (z <= 0) return 32767;
  if (z > 31) return 0;
  const v = Math.floor(q / 2 ** z);
  return v > 32767 ? 32767 : v;
}

/**
 * Bound on |normRhoQ15 - 32768 rho| for true rho in [0, 1], from the quantization: each rsqrt is
 * within 2.5 LSB of 2^15/sqrt(u) (table rounding 0.5, interpolation curvature <= 0.75, floor 1)
 * out of >= 16384, plus the mantissa truncation (< 2^-22 relative, halved by the root): relative
 * 1.53e-4 each; the cut of c to 15 bits loses < 2^-14 relative; the floor of t loses < 1 of >= 2^13;
 * the final floor < 1 LSB. Relative sum 4.9e-4 of 32768 is 16 LSB, plus 1.
 */
export function rhoErrorBoundQ15(): number {
  const rsq = 2.5 / 16384 + 2 ** -23;
  return 32768 * (2 * rsq + 2 ** -14 + 2 ** -13) + 1;
}

// ---------------------------------------------------------------------------------------------
// Analysis

export interface PitchResult {
  /** Period in 48 kHz samples, 60..768; 0 when nothing correlates positively (silence). */
  periodSamples: number;
  /** Normalized correlation at that period, Q15, 0..32767. */
  correlationQ15: number;
}

/** Intermediate values, filled when a trace object is passed (tests). */
export interface PitchTrace {
  /** Coarse normalized correlation per decimated lag 10..128, signed Q15 (before the half-lag grid). */
  coarseRhoQ15: Int32Array;
  /** Half-lag grid (237 values, lags 10, 10.5, ..., 128). */
  coarseRhoHalfQ15: Int32Array;
  /** Coarse cross-correlation per decimated lag and the energies (window, lagged). */
  coarseXc: Float64Array;
  coarseEnergyLag: Float64Array;
  coarseEnergy0: number;
  /** Viterbi decision (decimated lag) and the refinement centre (48 kHz). */
  viterbiLagDecimated: number;
  refineCentreSamples: number;
}

/**
 * Appends one hop (480 int16 samples at 48 kHz) to the state and returns the period of the last
 * 960 samples and its normalized correlation. The state is updated in place.
 */
export function pitchAnalyzeHop(hop: Int16Array, state: Int32Array, tables: PitchTables, trace?: PitchTrace): PitchResult {
  const S = PITCH_STATE;
  const H = PITCH_HOP_SAMPLES;
  // 1. Append the hop to the 48 kHz history; half-window energy.
  const x = unpackSamples(state, S.history48, HIST48);
  x.copyWithin(0, H);
  let eNew48 = 0;
  for (let i = 0; i < H; i++) {
    const v = hop[i];
    x[HIST48 - H + i] = v;
    eNew48 += v * v;
  }
  packSamples(state, S.history48, x);

  // 2. Decimate: 80 new samples at 8 kHz.
  const y = unpackSamples(state, S.historyDecimated, HIST_D);
  y.copyWithin(0, HOP_D);
  const h = tables.lowpassQ15;
  let eNewD = 0;
  for (let m = 0; m < HOP_D; m++) {
    const n = HIST48 - H + PITCH_DECIMATION * m + PITCH_DECIMATION - 1;
    let acc = 0;
    for (let j = 0; j < PITCH_LOWPASS_TAPS; j++) acc += h[j] * x[n - j];
    const v = sat16(Math.floor((acc + 16384) / 32768));
    y[HIST_D - HOP_D + m] = v;
    eNewD += v * v;
  }
  packSamples(state, S.historyDecimated, y);

  // 3. Coarse cross-correlation: newest half computed, older half from the state.
  const e0D = get64(state, S.energyPrevHalfDecimated) + eNewD;
  set64(state, S.energyPrevHalfDecimated, eNewD);
  const bD = HIST_D - HOP_D;
  const wD = HIST_D - WINDOW_D;
  const xcs = new Float64Array(N_LAGS);
  const eLags = new Float64Array(N_LAGS);
  // Lag 5 (half the shortest period) only tells whether lag 10 still sits on the lobe around lag 0.
  let eLag = 0;
  for (let i = 0; i < WINDOW_D; i++) {
    const v = y[wD - LOBE_LAG_D + i];
    eLag += v * v;
  }
  let xcLobeNew = 0;
  for (let i = 0; i < HOP_D; i++) xcLobeNew += y[bD + i] * y[bD + i - LOBE_LAG_D];
  const xcLobe = get64(state, S.xcPrevHalfLobe) + xcLobeNew;
  set64(state, S.xcPrevHalfLobe, xcLobeNew);
  const eLobe = eLag;
  for (let tau = LOBE_LAG_D; tau < MIN_LAG_D; tau++) {
    const a = y[wD - tau - 1];
    const b = y[wD - tau - 1 + WINDOW_D];
    eLag += a * a - b * b;
  }
  for (let k = 0; k < N_LAGS; k++) {
    const tau = MIN_LAG_D + k;
    let xcNew = 0;
    for (let i = 0; i < HOP_D; i++) xcNew += y[bD + i] * y[bD + i - tau];
    const at = S.xcPrevHalf + 2 * k;
    xcs[k] = get64(state, at) + xcNew;
    set64(state, at, xcNew);
    if (k > 0) {
      const a = y[wD - tau];
      const b = y[wD - tau + WINDOW_D];
      eLag += a * a - b * b;
    }
    eLags[k] = eLag;
  }
  // Normalized correlation on the half-lag grid g[2k] = rho(tau_k), g[2k+1] = rho(tau_k + 1/2).
  // Half lags interpolate the signed integer-lag rho with an 8-tap half-sample filter (indices
  // clamped at the ends), then clamp to [0, 32767]. An off-grid peak of a band-limited correlation
  // loses cos(pi f d / 8000) at offset d; halving d keeps a period and its multiples (which may fall
  // on the grid) comparable.
  const NG = 2 * N_LAGS - 1;
  const g = new Int32Array(NG);
  const rs = new Int32Array(N_LAGS);
  let rhoLobe = 0;
  if (e0D > 0) {
    const [r0D, p0D] = rsqrtQ15(e0D, tables.rsqrtQ15);
    rhoLobe = xcLobe >= 0 ? normRhoQ15(xcLobe, eLobe, r0D, p0D, tables.rsqrtQ15) : -normRhoQ15(-xcLobe, eLobe, r0D, p0D, tables.rsqrtQ15);
    for (let k = 0; k < N_LAGS; k++) {
      const c = xcs[k];
      rs[k] = c >= 0 ? normRhoQ15(c, eLags[k], r0D, p0D, tables.rsqrtQ15) : -normRhoQ15(-c, eLags[k], r0D, p0D, tables.rsqrtQ15);
    }
  }
  // rho(k + 1/2) = sum_{i<4} h[i] (rho(k - 3 + i) + rho(k + 4 - i)), indices clamped to the grid.
  const hl = tables.halfLagQ15;
  const clampLag = (q: number): number => (q < 0 ? 0 : q > N_LAGS - 1 ? N_LAGS - 1 : q);
  for (let k = 0; k < N_LAGS; k++) {
    g[2 * k] = rs[k] > 0 ? rs[k] : 0;
    if (k < N_LAGS - 1) {
      let a = 0;
      for (let i = 0; i < HALF_LAG_TAPS / 2; i++) a += hl[i] * (rs[clampLag(k - 3 + i)] + rs[clampLag(k + 4 - i)]);
      const v = (a + 16384) >> 15;
      g[2 * k + 1] = v < 0 ? 0 : v > 32767 ? 32767 : v;
    }
  }
  // The lobe around lag 0: when rho still falls from lag 5 to lag 10, the first falling run of the
  // half-lag grid is that lobe (no period there), not a peak; it gets no correlation credit.
  if (rhoLobe > rs[0]) {
    let q = 0;
    while (q < NG - 1 && g[q] > g[q + 1]) q++;
    for (let i = 0; i < q; i++) g[i] = 0;
  }
  if (trace) {
    trace.coarseRhoQ15.set(rs);
    trace.coarseXc.set(xcs);
    trace.coarseRhoHalfQ15.set(g);
    trace.coarseEnergyLag.set(eLags);
    trace.coarseEnergy0 = e0D;
  }

  // 4. Viterbi forward step (L1 distance transform over the lag line). Observation: the best rho
  // within half a lag of the state.
  const acc = state.subarray(S.viterbiCost, S.viterbiCost + N_LAGS);
  const step = tables.stepCostQ15;
  for (let k = 1; k < N_LAGS; k++) {
    const t = acc[k - 1] + step[k - 1];
    if (t < acc[k]) acc[k] = t;
  }
  for (let k = N_LAGS - 2; k >= 0; k--) {
    const t = acc[k + 1] + step[k];
    if (t < acc[k]) acc[k] = t;
  }
  let best = 0;
  let bestCost = Infinity;
  for (let k = 0; k < N_LAGS; k++) {
    let pk = g[2 * k];
    if (k > 0 && g[2 * k - 1] > pk) pk = g[2 * k - 1];
    if (k < N_LAGS - 1 && g[2 * k + 1] > pk) pk = g[2 * k + 1];
    const c = acc[k] + 32767 - ((pk * tables.lagWeightQ15[k]) >> 15);
    acc[k] = c;
    if (c < bestCost) {
      bestCost = c;
      best = k;
    }
  }
  // Until the history covers the window plus the longest lag, long lags are judged on partial
  // overlaps: the trajectory starts afresh at the first full-history hop (memoryless before).
  let hops = state[S.hopsSeen];
  if (hops < FULL_HISTORY_HOPS) state[S.hopsSeen] = ++hops;
  const keep = hops >= FULL_HISTORY_HOPS ? 1 : 0;
  for (let k = 0; k < N_LAGS; k++) acc[k] = keep * (acc[k] - bestCost);

  // 5. Refinement: best half-grid point within one lag of the decision, parabolic centre on the
  // half grid (3 samples at 48 kHz per step), 48 kHz search around it.
  let gc = 2 * best;
  for (const dg of [-1, 1, -2, 2]) {
    const q = 2 * best + dg;
    if (q >= 0 && q < NG && g[q] > g[gc]) gc = q;
  }
  let delta = 0;
  if (gc > 0 && gc < NG - 1) {
    const rm = g[gc - 1];
    const rp = g[gc + 1];
    const d = 2 * g[gc] - rm - rp;
    if (d > 0) {
      // round(1.5 (rp - rm) / d), half up; |rp - rm| <= d at a local peak, so |delta| <= 2.
      delta = Math.floor((3 * (rp - rm) + d) / (2 * d));
      if (delta > 2) delta = 2;
      if (delta < -2) delta = -2;
    }
  }
  let centre = 3 * (2 * MIN_LAG_D + gc) + delta;
  // Four lags from an even lo (the C multiplies sample pairs): centre-1..centre+1 and one more.
  let lo = 2 * Math.floor((centre - 1) / 2);
  if (lo < PITCH_MIN_PERIOD_SAMPLES) lo = PITCH_MIN_PERIOD_SAMPLES;
  if (lo > PITCH_MAX_PERIOD_SAMPLES - 4) lo = PITCH_MAX_PERIOD_SAMPLES - 4;
  const hi = lo + 3;
  if (trace) {
    trace.viterbiLagDecimated = MIN_LAG_D + best;
    trace.refineCentreSamples = centre;
  }

  const e048 = get64(state, S.energyPrevHalf48) + eNew48;
  set64(state, S.energyPrevHalf48, eNew48);
  const w0 = HIST48 - PITCH_WINDOW_SAMPLES;
  let periodSamples = 0;
  let correlationQ15 = 0;
  if (e048 > 0) {
    const [r048, p048] = rsqrtQ15(e048, tables.rsqrtQ15);
    let e = 0;
    for (let i = 0; i < PITCH_WINDOW_SAMPLES; i++) {
      const v = x[w0 - lo + i];
      e += v * v;
    }
    for (let tau = lo; tau <= hi; tau++) {
      if (tau > lo) {
        const a = x[w0 - tau];
        const b = x[w0 - tau + PITCH_WINDOW_SAMPLES];
        e += a * a - b * b;
      }
      let xc = 0;
      for (let i = 0; i < PITCH_WINDOW_SAMPLES; i++) xc += x[w0 + i] * x[w0 - tau + i];
      const r = normRhoQ15(xc, e, r048, p048, tables.rsqrtQ15);
      if (r > correlationQ15) {
        correlationQ15 = r;
        periodSamples = tau;
      }
    }
  }
  return { periodSamples, correlationQ15 };
}

export function createPitchTrace(): PitchTrace {
  return {
    coarseRhoQ15: new Int32Array(N_LAGS),
    coarseRhoHalfQ15: new Int32Array(2 * N_LAGS - 1),
    coarseXc: new Float64Array(N_LAGS),
    coarseEnergyLag: new Float64Array(N_LAGS),
    coarseEnergy0: 0,
    viterbiLagDecimated: 0,
    refineCentreSamples: 0,
  };
}
