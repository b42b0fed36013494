// The noise suppressor's spectral front and back end, integer-exact: analysis window + 1024-point
// real FFT, inverse FFT + synthesis window + overlap-add, the 34-band ERB layout with triangular
// responses, band energies and their log, band-to-bin interpolation, the pitch comb response and
// the per-band comb correlation. This file DEFINES the arithmetic; src/fixed/blocks/ns/spectral.c
// implements the same integers bit for bit.
//
// Conventions: round-half-up shift rhu(v, s) = floor((v + 2^(s-1)) / 2^s) (an arithmetic >> in C
// after adding 2^(s-1)); products wider than 2^53 are computed exactly with the split-16 trick
// (arith.ts) or BigInt.
//
// 1. Analysis (forwardSpectrum). frame x: 960 int16 (the last 20 ms, oldest first).
//    xw[i] = rhu(x[i] * w[i], 11) (w = sine window Q15: the windowed sample with 4 guard bits,
//    |xw| <= 2^19); xw[960..1023] = 0.
//    z[n] = xw[2n] + i xw[2n+1] (n < 512) is transformed by an UNSCALED 512-point complex FFT
//    (mixed radix 4,4,4,4,2, decimation in time, input scattered by fftScatter):
//      twiddle product   t = 2 rhu(a_re*c + a_im*s, 32) + i 2 rhu(a_im*c - a_re*s, 32)
//      (W = c - i s, Q31 with 1.0 stored as 2^31 - 1: one SMULL/SMLAL chain whose high word is
//      a*W/2, doubled for free by the butterfly's shifted add; the twiddled terms thus have a
//      resolution of 2 guard units). The first butterfly of each radix-4 stage (j = 0, unit
//      twiddles) takes no product. Radix-4/radix-2 butterflies: exact integer adds (no shift).
//    Real split pass (k = 0..256, j = 512-k, Z[512] = Z[0], c/s = cos/sin(2 pi k/1024) Q31):
//      Er = Zr[k]+Zr[j], Ei = Zi[k]-Zi[j], Or = Zr[k]-Zr[j], Oi = Zi[k]+Zi[j]
//      p = 2 rhu(c*Oi - s*Or, 32), q = 2 rhu(c*Or + s*Oi, 32)
//      X[k]  = rhu(Er + p, 5) + i rhu( Ei - q, 5)
//      X[j]  = rhu(Er - p, 5) + i rhu(-Ei - q, 5)
//    (the 1/2 of the split and the 4 guard bits). So X = DFT_1024(x*w/2^15), unnormalized, in
//    int16-sample units: |X| <= sum|x w|/2^15 < 2^24.26 for ANY int16 frame; FFT intermediates
//    stay below 2^28.3 (int32-safe), 64-bit products below 2^60. X[0].im = X[512].im = 0.
// 2. Synthesis (synthesizeHop). Y: 513 bins (im of bins 0 and 512 ignored), each component
//    clamped to [-2^25, 2^25-1] (never active for Y = X*g with |g| <= 1) and multiplied by 4
//    (2 guard bits): A. Inverse split pass (k = 0..256, same c, s, E/O from A):
//      p = 2 rhu(s*Or + c*Oi, 32), q = 2 rhu(c*Or - s*Oi, 32)
//      Z[k] = rhu(Er - p, 1) + i rhu( Ei + q, 1)
//      Z[j] = rhu(Er + p, 1) + i rhu(-Ei + q, 1)     (j = 512-k, only for k > 0)
//    then conj(Z) goes through the same FFT stages, now SCALED: each radix-4 output rhu(.,2), each
//    radix-2 output rhu(.,1); v[2n] = re, v[2n+1] = -im (conj again). Net: v = 4 * IDFT_1024(Y)
//    (1/1024 normalization), so v ~ 4 xw when Y = X. Magnitudes stay <= 2^28.5 + 8 (the inverse
//    split can double a magnitude, every scaled stage keeps it), radix-4 sums <= 2^30.5 + 16.
//    Only v[0..959] is used (the zero-padded tail is dropped). With ws = synthesis window Q30:
//      out[i] = sat16(rhu(ola[i] + rhu(v[i]*ws[i], 28), 4))      i < 480
//      ola[i] = rhu(v[480+i]*ws[480+i], 28)                      (overlap-add state, Q4 samples)
//    (|v| <= 4 * 2^25.5 = 2^27.5 as the real IDFT of the clamped Y, so each Q4 term < 2^29.5.)
//    ws[i] = round(2^45 w[i] / (w[i]^2 + w[i+-480]^2)): the sine window divided by the window's
//    own power sum, so that w*ws of the two overlapping frames sums to 2^30 up to ws's rounding
//    (the int16 sine window alone is only complementary to ~2^-15, up to 2 LSB at full scale).
//    Forward then inverse with unit gains reproduces the input delayed by 480 samples, max error
//    1 LSB measured (test/ns-spectral.test.ts).
// 3. Bands: 34 triangle peaks ("edges") at integer bins, ERB-spaced (Glasberg-Moore ERB-rate
//    21.4 log10(1 + 0.00437 f)) from 0 Hz to 20 kHz, rounded to the nearest bin and pushed up to
//    stay strictly increasing (only the lowest edges move). Bin k with e_b <= k < e_{b+1}: weight
//    wLo = round(32768 (e_{b+1}-k)/(e_{b+1}-e_b)) for band b and 32768-wLo for band b+1; bins
//    k >= e_33 belong to band 33 with weight 32768. The responses sum to exactly 32768 per bin.
// 4. Energies: p[k] = rhu(Xr^2 + Xi^2, 3) (needs |X components| < 2^25, true for forwardSpectrum
//    and gained spectra); E[b] = sum_k w_b(k) p[k] (int64: by Parseval sum_k p[k] < 2^46.8, so
//    E < 2^61.8). E is the band energy in units of 2^-12 |X|^2.
//    logQ8[b] = 256*log2(E[b]/2^12) by leading bit + 257-entry mantissa table, floor 0 (band
//    energy below 1 |X|^2 unit, i.e. E < 2^12, reads as 0). Error <= 0.5 + 0.72 Q8 LSB.
// 5. Comb: C[k] = sat16(rhu(h0*2^15 + 2 h1 cosQ15[(kT) mod 1024] + 2 h2 cosQ15[(2kT) mod 1024], 15)),
//    h = Hann taps (1 + cos(pi m/3)) normalized to sum 32768 (h0 = 10922, h1 = 8192, h2 = 2731).
//    T = 0 (unvoiced): C[k] = 32767.
//    (cosQ15 = round(32768 cos), 1.0 stored as 32767: the clamp never acts, C <= 32767.33.)
// 6. Comb correlation: the lower band of bin k gets wcLo = rhu(wLo C[k], 15), the upper band
//    C[k] - wcLo (they sum to C[k] as the energy weights sum to 32768); num_b = sum_k wc_b(k) p[k],
//    den_b = E[b]; both shifted right (floor) by s = max(0, bitlength(den) - 46), so num*2^16 fits
//    int64; rho = floor((num*2^16 + den) / (2 den)) (one division per band), clamped to int16;
//    0 when den = 0.
// 7. Interpolation: g(k) = rhu(wLo g[b] + (32768 - wLo) g[b+1], 15) (g[b+1] := g[33] above the
//    last edge), computed as g[b+1] + rhu(wLo (g[b] - g[b+1]), 15), the same integer.
// 8. Gains: Y = sat32(rhu(X g, 15)) per component (only X = -2^31 with g = -32768 saturates).
import { roundShiftSplit, sat16, sat32 } from '../arith.ts';

export const FRAME_SAMPLES = 960;
export const HOP_SAMPLES = 480;
export const FFT_SIZE = 1024;
export const NUM_BINS = 513;
export const NUM_BANDS = 34;
export const SAMPLE_RATE_HZ = 48000;
/** Highest band peak (Hz): bins above it belong to the last band. */
export const TOP_BAND_HZ = 20000;
/** Components of Y are clamped to [-this, this - 1] before synthesis (|X*g| < 2^24.3 never is). */
export const SYNTH_INPUT_LIMIT = 2 ** 25;
/** E[b] below this (1 unit of |X|^2) reads as log 0. */
export const LOG_FLOOR_ENERGY = 4096;

/** Every integer table the C kernels take, each with its C element type (SPECTRAL_TABLE_CTYPES). */
export interface SpectralTables {
  /** Analysis window, Q15, 960: round(32767 sin(pi (i + 0.5) / 960)). */
  windowQ15: Int16Array;
  /** Synthesis window, Q30, 960: round(2^45 w[i] / (w[i]^2 + w[i +- 480]^2)). */
  synthesisWindowQ30: Int32Array;
  /** 512: buffer position of complex FFT input n (mixed-radix 4,4,4,4,2 digit reversal). */
  fftScatter: Uint16Array;
  /** FFT stage twiddles Q31 (W = c - i s; 1.0 as 2^31 - 1): radix-4 stages L = 4, 16, 64 as [c1 s1 c2 s2 c3 s3] per
   * j < L (offsets 0, 24, 120), then the radix-2 stage as [c s] per j < 256 (offset 504). 1016. */
  fftTwiddlesQ31: Int32Array;
  /** cos(2 pi n / 1024) Q31 (1.0 as 2^31 - 1), n = 0..256 (split pass: c = [k], s = [256 - k]). */
  cosQuarterQ31: Int32Array;
  /** cos(2 pi n / 1024) Q15, 1024 (1.0 as 32767): the comb's phases (k m T) mod 1024. */
  cos1024Q15: Int16Array;
  /** Triangle peak of each band, in bins, 34. */
  bandEdgesBins: Uint16Array;
  /** Weight of the lower band of bin k (b with e_b <= k < e_{b+1}, 33 above the last edge), Q15
   * (0..32768); band b + 1 gets 32768 - it. 513. */
  binWeightLoQ15: Uint16Array;
  /** round(256 log2(1 + i/256)), i = 0..256. */
  log2MantissaQ8: Uint16Array;
  /** Comb taps h0, h1, h2 (h_-m = h_m), Q15, sum h0 + 2 h1 + 2 h2 = 32768. */
  combTapsQ15: Int16Array;
}

export const SPECTRAL_TABLE_CTYPES: Record<keyof SpectralTables, 'int16_t' | 'int32_t' | 'uint16_t'> = {
  windowQ15: 'int16_t',
  synthesisWindowQ30: 'int32_t',
  fftScatter: 'uint16_t',
  fftTwiddlesQ31: 'int32_t',
  cosQuarterQ31: 'int32_t',
  cos1024Q15: 'int16_t',
  bandEdgesBins: 'uint16_t',
  binWeightLoQ15: 'uint16_t',
  log2MantissaQ8: 'uint16_t',
  combTapsQ15: 'int16_t',
};

// ---------------------------------------------------------------------------------------------
// Tables

/** Power-complementary sine window, Q15: w[i]^2 + w[i+480]^2 = 2^30 within 2^-14 relative. */
export function sineWindowQ15(): Int16Array {
  const w = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < FRAME_SAMPLES; i++) w[i] = Math.round(32767 * Math.sin((Math.PI * (i + 0.5)) / FRAME_SAMPLES));
  return w;
}

function synthesisWindowQ30(w: Int16Array): Int32Array {
  const ws = new Int32Array(FRAME_SAMPLES);
  for (let i = 0; i < FRAME_SAMPLES; i++) {
    const a = BigInt(w[i]);
    const b = BigInt(w[(i + HOP_SAMPLES) % FRAME_SAMPLES]);
    const d = a * a + b * b;
    ws[i] = Number(((a << 46n) + d) / (2n * d)); // round-half-up of 2^45 a / d (a, d > 0)
  }
  return ws;
}

const q31 = (v: number): number => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(v * 2 ** 31)));

function cosQuarterQ31(): Int32Array {
  const t = new Int32Array(257);
  for (let n = 0; n <= 256; n++) t[n] = q31(Math.cos((2 * Math.PI * n) / FFT_SIZE));
  t[256] = 0; // exact, so that sin = t[256 - k] is exact at k = 0
  return t;
}

function cos1024Q15(): Int16Array {
  const t = new Int16Array(FFT_SIZE);
  for (let n = 0; n < FFT_SIZE; n++) t[n] = Math.min(32767, Math.round(32768 * Math.cos((2 * Math.PI * n) / FFT_SIZE)));
  return t;
}

/** Radix of the last DIT stage for a sub-transform of length n (512 = 4*4*4*4*2). */
const lastRadix = (n: number): number => (n === 512 ? 2 : 4);

function fftScatterTable(): Uint16Array {
  const order = (idx: number[]): number[] => {
    if (idx.length === 1) return idx;
    const r = lastRadix(idx.length);
    const out: number[] = [];
    for (let q = 0; q < r; q++) out.push(...order(idx.filter((_, i) => i % r === q)));
    return out;
  };
  const perm = order(Array.from({ length: 512 }, (_, i) => i)); // buf[m] = z[perm[m]]
  const scatter = new Uint16Array(512);
  perm.forEach((n, m) => (scatter[n] = m));
  return scatter;
}

export const TWIDDLE_OFFSET_R2 = 504;

function fftTwiddles(): Int32Array {
  const t = new Int32Array(1016);
  let o = 0;
  for (const L of [4, 16, 64]) {
    for (let j = 0; j < L; j++) {
      for (let q = 1; q <= 3; q++) {
        const a = (2 * Math.PI * q * j) / (4 * L);
        t[o++] = q31(Math.cos(a));
        t[o++] = q31(Math.sin(a));
      }
    }
  }
  for (let j = 0; j < 256; j++) {
    const a = (2 * Math.PI * j) / 512;
    t[o++] = q31(Math.cos(a));
    t[o++] = q31(Math.sin(a));
  }
  return t;
}

const ERB_A = 21.4;
const ERB_B = 0.00437;
/** ERB-rate (Glasberg and Moore): number of ERBs below f. */
export const erbRate = (hz: number): number => ERB_A * Math.log10(1 + ERB_B * hz);
export const erbRateInverse = (erbs: number): number => (10 ** (erbs / ERB_A) - 1) / ERB_B;
export const BIN_HZ = SAMPLE_RATE_HZ / FFT_SIZE;

/** Band peaks in bins: ERB-spaced 0 .. 20 kHz, nearest bin, pushed up to stay strictly increasing. */
function bandEdges(): Uint16Array {
  const top = erbRate(TOP_BAND_HZ);
  const e = new Uint16Array(NUM_BANDS);
  for (let b = 0; b < NUM_BANDS; b++) {
    const bin = Math.round(erbRateInverse((top * b) / (NUM_BANDS - 1)) / BIN_HZ);
    e[b] = b === 0 ? bin : Math.max(bin, e[b - 1] + 1);
  }
  return e;
}

export interface BandLayout {
  edgesBins: Uint16Array;
  /** Lower band of each bin: b with e_b <= k < e_{b+1} (33 above the last edge). */
  bandOfBin: Uint8Array;
  binWeightLoQ15: Uint16Array;
}

/** Lower band of each bin, from the edges (the C walks the edges instead of taking this table). */
function bandOfBinFromEdges(edges: Uint16Array): Uint8Array {
  const bandOfBin = new Uint8Array(NUM_BINS);
  let b = 0;
  for (let k = 0; k < NUM_BINS; k++) {
    while (b < NUM_BANDS - 1 && k >= edges[b + 1]) b++;
    bandOfBin[k] = b;
  }
  return bandOfBin;
}

const bandOfBinCache = new WeakMap<SpectralTables, Uint8Array>();
function bandOfBinOf(t: SpectralTables): Uint8Array {
  let a = bandOfBinCache.get(t);
  if (!a) {
    a = bandOfBinFromEdges(t.bandEdgesBins);
    bandOfBinCache.set(t, a);
  }
  return a;
}

function weightsLo(edges: Uint16Array): Uint16Array {
  if (edges[0] !== 0) throw new Error('band layout: the first edge must be bin 0');
  const bandOfBin = bandOfBinFromEdges(edges);
  const wLo = new Uint16Array(NUM_BINS);
  for (let k = 0; k < NUM_BINS; k++) {
    const b = bandOfBin[k];
    if (b === NUM_BANDS - 1) wLo[k] = 32768;
    else {
      const d = edges[b + 1] - edges[b];
      wLo[k] = Math.floor((2 * 32768 * (edges[b + 1] - k) + d) / (2 * d)); // round-half-up
    }
  }
  return wLo;
}

function log2Mantissa(): Uint16Array {
  const t = new Uint16Array(257);
  for (let i = 0; i <= 256; i++) t[i] = Math.round(256 * Math.log2(1 + i / 256));
  return t;
}

function combTaps(): Int16Array {
  // Hann weights 1 + cos(pi m / (M + 1)), M = 2: 2, 1.5, 0.5 -> 1/3, 1/4, 1/12 of the sum.
  const h1 = Math.round(32768 / 4);
  const h2 = Math.round(32768 / 12);
  return Int16Array.from([32768 - 2 * (h1 + h2), h1, h2]);
}

let cached: SpectralTables | undefined;

/** Every table the C needs (computed once; treat as immutable). */
export function spectralTables(): SpectralTables {
  if (!cached) {
    const w = sineWindowQ15();
    const edges = bandEdges();
    cached = {
      windowQ15: w,
      synthesisWindowQ30: synthesisWindowQ30(w),
      fftScatter: fftScatterTable(),
      fftTwiddlesQ31: fftTwiddles(),
      cosQuarterQ31: cosQuarterQ31(),
      cos1024Q15: cos1024Q15(),
      bandEdgesBins: edges,
      binWeightLoQ15: weightsLo(edges),
      log2MantissaQ8: log2Mantissa(),
      combTapsQ15: combTaps(),
    };
  }
  return cached;
}

export function bandLayout(t: SpectralTables = spectralTables()): BandLayout {
  return { edgesBins: t.bandEdgesBins, bandOfBin: bandOfBinOf(t), binWeightLoQ15: t.binWeightLoQ15 };
}

/** Band peak frequencies in Hz (bins * 46.875). */
export function bandEdgesHz(t: SpectralTables = spectralTables()): number[] {
  return Array.from(t.bandEdgesBins, (e) => e * BIN_HZ);
}

/** Q15 weight of band b at bin k (0..32768), from the per-bin tables. */
export function bandWeightQ15(t: SpectralTables, b: number, k: number): number {
  const lo = bandOfBinOf(t)[k];
  if (b === lo) return t.binWeightLoQ15[k];
  if (b === lo + 1) return 32768 - t.binWeightLoQ15[k];
  return 0;
}

/** C name of a table: prefix + snake case (cosQuarterQ31 -> cos_quarter_q31). */
export function spectralTableCName(name: keyof SpectralTables, prefix = 'arrayc_ns_spectral_'): string {
  return prefix + name.replace(/[A-Z]/g, (m) => '_' + m.toLowerCase());
}

/** C source declaring each kernel table as `static const <type> <prefix><name>[n]` (unused ones allowed). */
export function spectralTablesC(t: SpectralTables = spectralTables(), prefix = 'arrayc_ns_spectral_'): string {
  return (Object.keys(SPECTRAL_TABLE_CTYPES) as (keyof SpectralTables)[])
    .map((k) => {
      const a = t[k];
      return `static const ${SPECTRAL_TABLE_CTYPES[k]} ${spectralTableCName(k, prefix)}[${a.length}] __attribute__((unused)) = {${Array.from(a).join(',')}};\n`;
    })
    .join('');
}

// ---------------------------------------------------------------------------------------------
// FFT

/** 2 rhu(a*c + b*d, 32) exactly (|a|, |b| < 2^30, Q31 c, d): the doubled high word. */
function mulHi2(a: number, c: number, b: number, d: number): number {
  return 2 * roundShiftSplit(a * (c >> 16) + b * (d >> 16), a * (c & 0xffff) + b * (d & 0xffff), 32);
}

/**
 * 512-point complex FFT stages in place on buf (interleaved re/im, input already scattered).
 * inverse = false: unscaled; inverse = true: each radix-4 output rhu(.,2), radix-2 rhu(.,1).
 * Both use W = c - i s (the inverse is built as conj(FFT(conj))).
 */
function fft512Stages(buf: Int32Array, tw: Int32Array, inverse: boolean): void {
  const s4 = inverse ? 2 : 0;
  const r4 = inverse ? 2 : 0;
  const s2 = inverse ? 1 : 0;
  const r2 = inverse ? 1 : 0;
  // Stage 1: radix-4 on adjacent quadruples, no twiddles.
  for (let m = 0; m < 1024; m += 8) {
    const a0r = buf[m], a0i = buf[m + 1], a1r = buf[m + 2], a1i = buf[m + 3];
    const a2r = buf[m + 4], a2i = buf[m + 5], a3r = buf[m + 6], a3i = buf[m + 7];
    radix4(buf, m, 2, a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, s4, r4);
  }
  let o = 0;
  for (let L = 4; L <= 64; L *= 4) {
    for (let base = 0; base < 512; base += 4 * L) {
      // j = 0: unit twiddles, no products
      const p0 = 2 * base, p1 = p0 + 2 * L, p2 = p1 + 2 * L, p3 = p2 + 2 * L;
      radix4(buf, p0, 2 * L, buf[p0], buf[p0 + 1], buf[p1], buf[p1 + 1], buf[p2], buf[p2 + 1], buf[p3], buf[p3 + 1], s4, r4);
    }
    for (let j = 1; j < L; j++) {
      const c1 = tw[o + 6 * j], s1 = tw[o + 6 * j + 1], c2 = tw[o + 6 * j + 2];
      const s2w = tw[o + 6 * j + 3], c3 = tw[o + 6 * j + 4], s3 = tw[o + 6 * j + 5];
      for (let base = j; base < 512; base += 4 * L) {
        const p0 = 2 * base, p1 = p0 + 2 * L, p2 = p1 + 2 * L, p3 = p2 + 2 * L;
        const b1r = buf[p1], b1i = buf[p1 + 1], b2r = buf[p2], b2i = buf[p2 + 1], b3r = buf[p3], b3i = buf[p3 + 1];
        radix4(
          buf, p0, 2 * L, buf[p0], buf[p0 + 1],
          mulHi2(b1r, c1, b1i, s1), mulHi2(b1i, c1, b1r, -s1),
          mulHi2(b2r, c2, b2i, s2w), mulHi2(b2i, c2, b2r, -s2w),
          mulHi2(b3r, c3, b3i, s3), mulHi2(b3i, c3, b3r, -s3),
          s4, r4,
        );
      }
    }
    o += 6 * L;
  }
  for (let j = 0; j < 256; j++) {
    const c = tw[TWIDDLE_OFFSET_R2 + 2 * j], s = tw[TWIDDLE_OFFSET_R2 + 2 * j + 1];
    const p0 = 2 * j, p1 = p0 + 512;
    const a0r = buf[p0], a0i = buf[p0 + 1];
    const tr = mulHi2(buf[p1], c, buf[p1 + 1], s);
    const ti = mulHi2(buf[p1 + 1], c, buf[p1], -s);
    buf[p0] = (a0r + tr + r2) >> s2;
    buf[p0 + 1] = (a0i + ti + r2) >> s2;
    buf[p1] = (a0r - tr + r2) >> s2;
    buf[p1 + 1] = (a0i - ti + r2) >> s2;
  }
}

/** Radix-4 butterfly (W_4 = -i) on twiddled inputs, outputs at p0 + q*stride. */
function radix4(
  buf: Int32Array, p0: number, stride: number,
  t0r: number, t0i: number, t1r: number, t1i: number, t2r: number, t2i: number, t3r: number, t3i: number,
  sh: number, rnd: number,
): void {
  const s02r = t0r + t2r, s02i = t0i + t2i, d02r = t0r - t2r, d02i = t0i - t2i;
  const s13r = t1r + t3r, s13i = t1i + t3i, d13r = t1r - t3r, d13i = t1i - t3i;
  buf[p0] = (s02r + s13r + rnd) >> sh;
  buf[p0 + 1] = (s02i + s13i + rnd) >> sh;
  buf[p0 + stride] = (d02r + d13i + rnd) >> sh;
  buf[p0 + stride + 1] = (d02i - d13r + rnd) >> sh;
  buf[p0 + 2 * stride] = (s02r - s13r + rnd) >> sh;
  buf[p0 + 2 * stride + 1] = (s02i - s13i + rnd) >> sh;
  buf[p0 + 3 * stride] = (d02r - d13i + rnd) >> sh;
  buf[p0 + 3 * stride + 1] = (d02i + d13r + rnd) >> sh;
}

/** Windowed frame -> X[k], k = 0..512, interleaved re/im (1026 words), unnormalized DFT_1024. */
export function forwardSpectrum(frame: Int16Array, t: SpectralTables = spectralTables()): Int32Array {
  if (frame.length !== FRAME_SAMPLES) throw new Error(`forwardSpectrum: frame has ${frame.length} samples, expected ${FRAME_SAMPLES}`);
  const X = new Int32Array(2 * NUM_BINS);
  const w = t.windowQ15;
  for (let n = 0; n < 480; n++) {
    const p = 2 * t.fftScatter[n];
    X[p] = (frame[2 * n] * w[2 * n] + 1024) >> 11;
    X[p + 1] = (frame[2 * n + 1] * w[2 * n + 1] + 1024) >> 11;
  }
  for (let n = 480; n < 512; n++) {
    const p = 2 * t.fftScatter[n];
    X[p] = 0;
    X[p + 1] = 0;
  }
  fft512Stages(X, t.fftTwiddlesQ31, false);
  const cs = t.cosQuarterQ31;
  for (let k = 0; k <= 256; k++) {
    const j = 512 - k;
    const jz = j === 512 ? 0 : j;
    const zkr = X[2 * k], zki = X[2 * k + 1], zjr = X[2 * jz], zji = X[2 * jz + 1];
    const er = zkr + zjr, ei = zki - zji, or = zkr - zjr, oi = zki + zji;
    const c = cs[k], s = cs[256 - k];
    const p = mulHi2(oi, c, or, -s);
    const q = mulHi2(or, c, oi, s);
    X[2 * k] = (er + p + 16) >> 5;
    X[2 * k + 1] = (ei - q + 16) >> 5;
    X[2 * j] = (er - p + 16) >> 5;
    X[2 * j + 1] = (-ei - q + 16) >> 5;
  }
  return X;
}

/** Inverse real FFT of Y (after the 2^25 clamp and x4): v[0..959] ~ 4 * IDFT_1024(Y). */
function inverseToTime(Y: Int32Array, t: SpectralTables): Int32Array {
  const lim = SYNTH_INPUT_LIMIT;
  const a = (i: number): number => 4 * Math.max(-lim, Math.min(lim - 1, Y[i]));
  const buf = new Int32Array(1024);
  const cs = t.cosQuarterQ31;
  const sc = t.fftScatter;
  for (let k = 0; k <= 256; k++) {
    const j = 512 - k;
    const akr = a(2 * k), ajr = a(2 * j);
    const aki = k === 0 ? 0 : a(2 * k + 1);
    const aji = k === 0 ? 0 : a(2 * j + 1);
    const er = akr + ajr, ei = aki - aji, or = akr - ajr, oi = aki + aji;
    const c = cs[k], s = cs[256 - k];
    const p = mulHi2(or, s, oi, c);
    const q = mulHi2(or, c, oi, -s);
    // conj(Z) into the scattered buffer
    const pk = 2 * sc[k];
    buf[pk] = (er - p + 1) >> 1;
    buf[pk + 1] = -((ei + q + 1) >> 1);
    if (k > 0) {
      const pj = 2 * sc[j];
      buf[pj] = (er + p + 1) >> 1;
      buf[pj + 1] = -((q - ei + 1) >> 1);
    }
  }
  fft512Stages(buf, t.fftTwiddlesQ31, true);
  const v = new Int32Array(FRAME_SAMPLES);
  for (let n = 0; n < 480; n++) {
    v[2 * n] = buf[2 * n];
    v[2 * n + 1] = -buf[2 * n + 1];
  }
  return v;
}

/**
 * Inverse FFT of Y, synthesis window, overlap-add with `ola` (Q4 samples, 480, updated in place):
 * returns the 480 output samples. A frame analysed and resynthesized with unit gains comes out
 * 480 samples later (within 1 LSB).
 */
export function synthesizeHop(Y: Int32Array, ola: Int32Array, t: SpectralTables = spectralTables()): Int16Array {
  if (Y.length !== 2 * NUM_BINS || ola.length !== HOP_SAMPLES) throw new Error('synthesizeHop: Y must have 1026 words and ola 480');
  const v = inverseToTime(Y, t);
  const ws = t.synthesisWindowQ30;
  const out = new Int16Array(HOP_SAMPLES);
  for (let i = 0; i < HOP_SAMPLES; i++) {
    const w1 = ws[i], w2 = ws[HOP_SAMPLES + i];
    const v1 = v[i], v2 = v[HOP_SAMPLES + i];
    out[i] = sat16((ola[i] + roundShiftSplit(v1 * (w1 >> 16), v1 * (w1 & 0xffff), 28) + 8) >> 4);
    ola[i] = roundShiftSplit(v2 * (w2 >> 16), v2 * (w2 & 0xffff), 28);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bands

/** p[k] = rhu(|X_k|^2, 3) (exact: |X components| < 2^25 so the sum < 2^51). */
function binPowers(X: Int32Array): Float64Array {
  const p = new Float64Array(NUM_BINS);
  for (let k = 0; k < NUM_BINS; k++) {
    const re = X[2 * k], im = X[2 * k + 1];
    p[k] = Math.floor((re * re + im * im + 4) / 8);
  }
  return p;
}

const P_SPLIT = 2 ** 24;

/** sum_k wt_b(k) p[k] per band, exact (wt = per-bin weight of the lower band / of the upper). */
function weightedBandSums(p: Float64Array, wLo: (k: number) => number, wHi: (k: number) => number, t: SpectralTables): bigint[] {
  const hi = new Float64Array(NUM_BANDS + 1);
  const lo = new Float64Array(NUM_BANDS + 1);
  const bandOfBin = bandOfBinOf(t);
  for (let k = 0; k < NUM_BINS; k++) {
    const b = bandOfBin[k];
    const ph = Math.floor(p[k] / P_SPLIT), pl = p[k] - ph * P_SPLIT;
    const a = wLo(k), c = wHi(k);
    hi[b] += a * ph;
    lo[b] += a * pl;
    hi[b + 1] += c * ph;
    lo[b + 1] += c * pl;
  }
  return Array.from({ length: NUM_BANDS }, (_, b) => BigInt(hi[b]) * BigInt(P_SPLIT) + BigInt(lo[b]));
}

/** E[b] = sum_k w_b(k) rhu(|X_k|^2, 3): band energy in units of 2^-12 |X|^2 (int64). */
export function bandEnergies(X: Int32Array, t: SpectralTables = spectralTables()): BigInt64Array {
  const w = t.binWeightLoQ15;
  return BigInt64Array.from(weightedBandSums(binPowers(X), (k) => w[k], (k) => 32768 - w[k], t));
}

/** 256 * log2 of an int64 energy in 2^-12 units (leading bit + mantissa table); 0 below 2^12. */
export function log2EnergyQ8(e: bigint, t: SpectralTables = spectralTables()): number {
  if (e < BigInt(LOG_FLOOR_ENERGY)) return 0;
  const n = e.toString(2).length - 1;
  const top = Number(e >> BigInt(n - 9)); // 512..1023
  return (n - 12) * 256 + t.log2MantissaQ8[(top - 512 + 1) >> 1];
}

/** log2 of each band energy (|X|^2 units) in Q8.8, floor 0 (silence). */
export function bandLogEnergyQ8(X: Int32Array, t: SpectralTables = spectralTables()): Int16Array {
  const e = bandEnergies(X, t);
  return Int16Array.from(e, (v) => log2EnergyQ8(v, t));
}

/** g(k) = rhu(wLo g[lo] + (32768 - wLo) g[lo+1], 15): band values to the 513 bins. */
export function interpolateBandGainsQ15(bandQ15: Int16Array, t: SpectralTables = spectralTables()): Int16Array {
  const out = new Int16Array(NUM_BINS);
  const bandOfBin = bandOfBinOf(t);
  for (let k = 0; k < NUM_BINS; k++) {
    const b = bandOfBin[k];
    const wl = t.binWeightLoQ15[k];
    const gHi = bandQ15[b < NUM_BANDS - 1 ? b + 1 : b];
    // = rhu(wl g[b] + (32768 - wl) gHi, 15), since 32768 gHi is a multiple of 2^15
    out[k] = gHi + ((wl * (bandQ15[b] - gHi) + 16384) >> 15);
  }
  return out;
}

/** Zero-phase 5-tap Hann pitch comb at period T (48 kHz samples), per bin, Q15; T = 0: 32767. */
export function combResponseQ15(periodSamples: number, t: SpectralTables = spectralTables()): Int16Array {
  const out = new Int16Array(NUM_BINS);
  if (periodSamples === 0) return out.fill(32767);
  if (!Number.isInteger(periodSamples) || periodSamples < 0 || periodSamples > 1023) throw new Error(`combResponseQ15: period ${periodSamples} out of range`);
  const [h0, h1, h2] = t.combTapsQ15;
  const cs = t.cos1024Q15;
  const T = periodSamples;
  for (let k = 0; k < NUM_BINS; k++) {
    const acc = h0 * 32768 + 2 * h1 * cs[(k * T) & 1023] + 2 * h2 * cs[(2 * k * T) & 1023];
    out[k] = sat16((acc + 16384) >> 15);
  }
  return out;
}

/** floor(a / d) for BigInt, d > 0. */
function floorDiv(a: bigint, d: bigint): bigint {
  const q = a / d;
  return a < 0n && q * d !== a ? q - 1n : q;
}

export interface BandFeatures {
  /** bandEnergies(X) */
  energy: BigInt64Array;
  /** bandLogEnergyQ8(X) */
  logEnergyQ8: Int16Array;
  /** bandCombCorrelationQ15(X, C) */
  combCorrelationQ15: Int16Array;
}

/** The three band features in one pass over the bins (C: arrayc_ns_band_features). */
export function bandFeatures(X: Int32Array, C: Int16Array, t: SpectralTables = spectralTables()): BandFeatures {
  const p = binPowers(X);
  const w = t.binWeightLoQ15;
  const den = weightedBandSums(p, (k) => w[k], (k) => 32768 - w[k], t);
  const wcLo = (k: number): number => (w[k] * C[k] + 16384) >> 15;
  const num = weightedBandSums(p, wcLo, (k) => C[k] - wcLo(k), t);
  return {
    energy: BigInt64Array.from(den),
    logEnergyQ8: Int16Array.from(den, (v) => log2EnergyQ8(v, t)),
    combCorrelationQ15: correlationQ15(num, den),
  };
}

/** rho_b = sum w C |X|^2 / sum w |X|^2 per band, Q15, 0 for a silent band. */
export function bandCombCorrelationQ15(X: Int32Array, C: Int16Array, t: SpectralTables = spectralTables()): Int16Array {
  return bandFeatures(X, C, t).combCorrelationQ15;
}

function correlationQ15(num: bigint[], den: bigint[]): Int16Array {
  const out = new Int16Array(NUM_BANDS);
  for (let b = 0; b < NUM_BANDS; b++) {
    let d = den[b];
    if (d === 0n) continue;
    const s = Math.max(0, d.toString(2).length - 46);
    d >>= BigInt(s);
    const nm = num[b] >> BigInt(s);
    out[b] = sat16(Number(floorDiv(nm * 65536n + d, 2n * d)));
  }
  return out;
}

/** Y = sat32(rhu(X * g, 15)) per component, g = gainQ15[bin]. */
export function applyBinGainsQ15(X: Int32Array, gainQ15: Int16Array): Int32Array {
  const Y = new Int32Array(2 * NUM_BINS);
  for (let i = 0; i < 2 * NUM_BINS; i++) Y[i] = sat32(Math.floor((X[i] * gainQ15[i >> 1] + 16384) / 32768));
  return Y;
}
