// The noise suppressor's spectral module: the integer reference against float computations
// (DFT, inverse DFT, ERB formula, triangle weights, log2, comb formula and a time-domain comb,
// band correlation), and the C kernels against the reference, word for word, on random and
// adversarial vectors (full-scale square waves, +/- full-scale impulses, silence, clamped inputs,
// long runs of hops with state); the fused per-bin gain kernel against the TS composition it
// replaces; the band ratio and log2 helpers against BigInt. Only the portable C runs here (host
// gcc); the Thumb-2 paths of the same file run on the QEMU cores in the firmware verification.
import { fileURLToPath } from 'node:url';
import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import {
  BIN_HZ, FRAME_SAMPLES, HOP_SAMPLES, NUM_BANDS, NUM_BINS, SPECTRAL_TABLE_CTYPES, TOP_BAND_HZ,
  applyBinGainsQ15, bandCombCorrelationQ15, bandEdgesHz, bandEnergies, bandFeatures, bandLayout, bandLogEnergyQ8,
  bandWeightQ15, combResponseQ15, erbRate, erbRateInverse, forwardSpectrum, interpolateBandGainsQ15, log2EnergyQ8,
  sineWindowQ15, spectralTables, spectralTablesC, synthesizeHop,
} from '../src/fixed/ns/spectral.ts';
import type { SpectralTables } from '../src/fixed/ns/spectral.ts';
import { binGainsQ15 } from '../src/fixed/ns/suppressor.ts';
import { prng } from '../src/toolchain/vectors.ts';
import { compileHostC, runHostC } from './hostC.ts';

const t = spectralTables();
const KERNEL = fileURLToPath(new URL('../src/fixed/blocks/ns/spectral.c', import.meta.url));

// ------------------------------------------------------------------------------------------------
// Vectors

const rand = prng(7);
const uniform = (): number => rand() / 2 ** 32;
const randInt = (lo: number, hi: number): number => lo + Math.floor(uniform() * (hi - lo + 1));

function frameOf(f: (i: number) => number): Int16Array {
  return Int16Array.from({ length: FRAME_SAMPLES }, (_, i) => Math.max(-32768, Math.min(32767, Math.round(f(i)))));
}

/** Adversarial and random 960-sample frames, with a name for failure messages. */
function testFrames(): { name: string; frame: Int16Array }[] {
  const out: { name: string; frame: Int16Array }[] = [];
  out.push({ name: 'silence', frame: new Int16Array(FRAME_SAMPLES) });
  out.push({ name: 'dc +32767', frame: frameOf(() => 32767) });
  out.push({ name: 'dc -32768', frame: frameOf(() => -32768) });
  out.push({ name: 'nyquist square', frame: frameOf((i) => (i & 1 ? -32768 : 32767)) });
  for (const half of [1, 2, 3, 5, 8, 24, 100, 240]) {
    out.push({ name: `square half-period ${half}`, frame: frameOf((i) => (Math.floor(i / half) & 1 ? -32768 : 32767)) });
  }
  for (const pos of [0, 1, 479, 480, 481, 958, 959]) {
    for (const v of [32767, -32768]) {
      const f = new Int16Array(FRAME_SAMPLES);
      f[pos] = v;
      out.push({ name: `impulse ${v} at ${pos}`, frame: f });
    }
  }
  out.push({ name: 'impulse train', frame: frameOf((i) => (i % 137 === 0 ? -32768 : 0)) });
  for (const k of [1, 10, 64.5, 200, 511]) out.push({ name: `sine bin ${k}`, frame: frameOf((i) => 32767 * Math.sin((2 * Math.PI * k * i) / 1024 + 0.3)) });
  for (let r = 0; r < 12; r++) out.push({ name: `random ${r}`, frame: frameOf(() => randInt(-32768, 32767)) });
  for (let r = 0; r < 4; r++) out.push({ name: `quiet random ${r}`, frame: frameOf(() => randInt(-3, 3)) });
  out.push({ name: 'random signs full scale', frame: frameOf(() => (uniform() < 0.5 ? -32768 : 32767)) });
  return out;
}

const FRAMES = testFrames();

/** A long signal: random, square waves, impulses, silence and a sweep, in segments of hops. */
function streamSignal(hops: number): Int16Array {
  const x = new Int16Array(hops * HOP_SAMPLES);
  for (let i = 0; i < x.length; i++) {
    const seg = Math.floor(i / (HOP_SAMPLES * 7)) % 6;
    let v = 0;
    if (seg === 0) v = randInt(-32768, 32767);
    else if (seg === 1) v = Math.floor(i / 13) & 1 ? -32768 : 32767;
    else if (seg === 2) v = i % 311 === 0 ? (i & 1 ? 32767 : -32768) : 0;
    else if (seg === 3) v = 0;
    else if (seg === 4) v = Math.round(32767 * Math.sin(2e-6 * i * i));
    else v = randInt(-40, 40);
    x[i] = v;
  }
  return x;
}

/** Streams x through forward + synthesis (TS), hop by hop: returns the output samples. */
function streamTs(x: Int16Array): { out: Int16Array; ola: Int32Array } {
  const hist = new Int16Array(FRAME_SAMPLES);
  const ola = new Int32Array(HOP_SAMPLES);
  const out = new Int16Array(x.length);
  for (let h = 0; h * HOP_SAMPLES < x.length; h++) {
    hist.copyWithin(0, HOP_SAMPLES);
    hist.set(x.subarray(h * HOP_SAMPLES, (h + 1) * HOP_SAMPLES), HOP_SAMPLES);
    out.set(synthesizeHop(forwardSpectrum(hist, t), ola, t), h * HOP_SAMPLES);
  }
  return { out, ola };
}

// ------------------------------------------------------------------------------------------------
// Float references

const fft1024 = new FFT(1024);

/** Float DFT (bins 0..512, interleaved) of frame * w / 2^15 with the integer window. */
function floatSpectrum(frame: Int16Array): Float64Array {
  const x = new Array(1024).fill(0);
  for (let i = 0; i < FRAME_SAMPLES; i++) x[i] = (frame[i] * t.windowQ15[i]) / 32768;
  const out = fft1024.createComplexArray() as number[];
  fft1024.realTransform(out, x);
  fft1024.completeSpectrum(out);
  return Float64Array.from(out.slice(0, 2 * NUM_BINS));
}

/** Float inverse DFT (1/1024) of a one-sided spectrum (imaginary parts of bins 0, 512 ignored). */
function floatInverse(Y: Float64Array): Float64Array {
  const full = fft1024.createComplexArray() as number[];
  for (let k = 0; k <= 512; k++) {
    full[2 * k] = Y[2 * k];
    full[2 * k + 1] = k === 0 || k === 512 ? 0 : Y[2 * k + 1];
    if (k > 0 && k < 512) {
      full[2 * (1024 - k)] = Y[2 * k];
      full[2 * (1024 - k) + 1] = -Y[2 * k + 1];
    }
  }
  const out = fft1024.createComplexArray() as number[];
  fft1024.inverseTransform(out, full);
  return Float64Array.from({ length: 1024 }, (_, n) => out[2 * n]);
}

/** Exact triangle weight of band b at bin k from the edges (no Q15 rounding). */
function triangle(b: number, k: number): number {
  const e = t.bandEdgesBins;
  if (b === NUM_BANDS - 1 && k >= e[b]) return 1;
  if (b > 0 && k >= e[b - 1] && k <= e[b]) return (k - e[b - 1]) / (e[b] - e[b - 1]);
  if (b < NUM_BANDS - 1 && k >= e[b] && k <= e[b + 1]) return (e[b + 1] - k) / (e[b + 1] - e[b]);
  return 0;
}

const HANN = [1 / 3, 1 / 4, 1 / 12]; // (1 + cos(pi m / 3)) normalized, m = 0, 1, 2
const combFloat = (k: number, T: number): number =>
  HANN[0] + 2 * HANN[1] * Math.cos((2 * Math.PI * k * T) / 1024) + 2 * HANN[2] * Math.cos((2 * Math.PI * k * 2 * T) / 1024);

const power = (X: Int32Array, k: number): number => X[2 * k] ** 2 + X[2 * k + 1] ** 2;

// ------------------------------------------------------------------------------------------------
// C driver

function driverSource(): string {
  return `#include <stdio.h>
#include <stdint.h>
#include <string.h>
#define ARRAYC_NOINLINE __attribute__((noinline))
#include "${KERNEL}"
${spectralTablesC(t, 'tb_')}
static int32_t rd(void) { int32_t v = 0; if (fread(&v, 4, 1, stdin) != 1) v = 0; return v; }
static int64_t rd64(void) { const uint32_t lo = (uint32_t)rd(); return (int64_t)(((uint64_t)(uint32_t)rd() << 32) | lo); }
static void wr(int32_t v) { fwrite(&v, 4, 1, stdout); }
static void wr64(int64_t v) { wr((int32_t)(uint32_t)(uint64_t)v); wr((int32_t)(v >> 32)); }
static int16_t frame[960], outs[480], cq[513], cin[513], gq[513], bq[34], rbq[34], lq[34], rq[34], lq2[34], rq2[34];
static int16_t cq_odd[516];
static int32_t X[1026], Y[1026], work[1024], ola[480];
static int64_t e1[34], e2[34];
int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    const int n = rd();
    int i, r;
    if (!strcmp(mode, "fwd")) {
        for (r = 0; r < n; r++) {
            for (i = 0; i < 960; i++) frame[i] = (int16_t)rd();
            arrayc_ns_forward_spectrum(frame, X, tb_window_q15, tb_fft_scatter, tb_fft_twiddles_q31, tb_cos_quarter_q31);
            for (i = 0; i < 1026; i++) wr(X[i]);
        }
    } else if (!strcmp(mode, "synth")) {
        for (r = 0; r < n; r++) {
            for (i = 0; i < 1026; i++) Y[i] = rd();
            arrayc_ns_synthesize_hop(Y, ola, outs, work, tb_synthesis_window_q30, tb_fft_scatter, tb_fft_twiddles_q31, tb_cos_quarter_q31);
            for (i = 0; i < 480; i++) wr(outs[i]);
        }
        for (i = 0; i < 480; i++) wr(ola[i]);
    } else if (!strcmp(mode, "stream")) {
        for (r = 0; r < n; r++) {
            memmove(frame, frame + 480, 480 * sizeof frame[0]);
            for (i = 0; i < 480; i++) frame[480 + i] = (int16_t)rd();
            arrayc_ns_forward_spectrum(frame, X, tb_window_q15, tb_fft_scatter, tb_fft_twiddles_q31, tb_cos_quarter_q31);
            arrayc_ns_synthesize_hop(X, ola, outs, work, tb_synthesis_window_q30, tb_fft_scatter, tb_fft_twiddles_q31, tb_cos_quarter_q31);
            for (i = 0; i < 480; i++) wr(outs[i]);
        }
        for (i = 0; i < 480; i++) wr(ola[i]);
    } else if (!strcmp(mode, "bands")) {
        for (r = 0; r < n; r++) {
            for (i = 0; i < 1026; i++) X[i] = rd();
            const int32_t period = rd();
            for (i = 0; i < 513; i++) cin[i] = (int16_t)rd();
            for (i = 0; i < 34; i++) bq[i] = (int16_t)rd();
            arrayc_ns_band_energies(X, e1, tb_band_edges_bins, tb_bin_weight_lo_q15);
            arrayc_ns_band_log_energy_q8(X, lq, tb_band_edges_bins, tb_bin_weight_lo_q15, tb_log2_mantissa_q8);
            arrayc_ns_band_comb_correlation_q15(X, cin, rq, tb_band_edges_bins, tb_bin_weight_lo_q15);
            arrayc_ns_band_features(X, cin, e2, lq2, rq2, tb_band_edges_bins, tb_bin_weight_lo_q15, tb_log2_mantissa_q8);
            arrayc_ns_comb_response_q15(period, cq, tb_comb_taps_q15, tb_cos1024_q15);
            arrayc_ns_interpolate_band_gains_q15(bq, gq, tb_band_edges_bins, tb_bin_weight_lo_q15);
            for (i = 0; i < 34; i++) wr64(e1[i]);
            for (i = 0; i < 34; i++) wr(lq[i]);
            for (i = 0; i < 34; i++) wr(rq[i]);
            for (i = 0; i < 34; i++) wr64(e2[i]);
            for (i = 0; i < 34; i++) wr(lq2[i]);
            for (i = 0; i < 34; i++) wr(rq2[i]);
            for (i = 0; i < 513; i++) wr(cq[i]);
            for (i = 0; i < 513; i++) wr(gq[i]);
        }
    } else if (!strcmp(mode, "fused")) {
        for (r = 0; r < n; r++) {
            for (i = 0; i < 1026; i++) X[i] = rd();
            for (i = 0; i < 34; i++) bq[i] = (int16_t)rd();
            for (i = 0; i < 34; i++) rbq[i] = (int16_t)rd();
            for (i = 0; i < 513; i++) cin[i] = (int16_t)rd();
            if (rd()) { /* in place */
                arrayc_ns_apply_band_gains(X, bq, rbq, cin, X, tb_band_edges_bins, tb_bin_weight_lo_q15);
                for (i = 0; i < 1026; i++) wr(X[i]);
            } else {
                arrayc_ns_apply_band_gains(X, bq, rbq, cin, Y, tb_band_edges_bins, tb_bin_weight_lo_q15);
                for (i = 0; i < 1026; i++) wr(Y[i]);
            }
        }
    } else if (!strcmp(mode, "comb_odd")) {
        /* comb written at an odd halfword address, guard words either side */
        for (r = 0; r < n; r++) {
            const int32_t period = rd();
            cq_odd[0] = cq_odd[514] = 1234;
            arrayc_ns_comb_response_q15(period, cq_odd + 1, tb_comb_taps_q15, tb_cos1024_q15);
            for (i = 0; i < 515; i++) wr(cq_odd[i]);
        }
    } else if (!strcmp(mode, "ratio")) {
        for (r = 0; r < n; r++) {
            const int64_t num = rd64(), den = rd64();
            wr(arrayc_ns_spectral_ratio_q15(num, den));
        }
    } else if (!strcmp(mode, "log2")) {
        for (r = 0; r < n; r++) wr(arrayc_ns_spectral_log2_q8(rd64(), tb_log2_mantissa_q8));
    } else if (!strcmp(mode, "gains")) {
        for (r = 0; r < n; r++) {
            for (i = 0; i < 1026; i++) X[i] = rd();
            for (i = 0; i < 513; i++) gq[i] = (int16_t)rd();
            arrayc_ns_apply_bin_gains_q15(X, gq, Y);
            for (i = 0; i < 1026; i++) wr(Y[i]);
        }
    }
    fflush(stdout);
    return 0;
}
`;
}

let exePromise: Promise<string> | undefined;
const driver = (): Promise<string> => (exePromise ??= compileHostC(driverSource()));

function words(parts: ArrayLike<number>[]): Int32Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(Array.from(p), o);
    o += p.length;
  }
  return out;
}

const split64 = (v: bigint): number[] => [Number(BigInt.asIntN(32, v)), Number(v >> 32n)];

/** First index where two word arrays differ, or -1. */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

// ------------------------------------------------------------------------------------------------

describe('spectral tables', () => {
  it('sine window: the formula, power complementary within 2^-13; synthesis window makes the overlap exact', () => {
    const w = sineWindowQ15();
    expect(Array.from(w)).toEqual(Array.from(t.windowQ15));
    for (let i = 0; i < FRAME_SAMPLES; i++) expect(w[i]).toBe(Math.round(32767 * Math.sin((Math.PI * (i + 0.5)) / 960)));
    let worstPower = 0;
    let worstDual = 0;
    for (let i = 0; i < HOP_SAMPLES; i++) {
      const p = (w[i] ** 2 + w[i + 480] ** 2) / 2 ** 30;
      worstPower = Math.max(worstPower, Math.abs(p - 1));
      const d = (w[i] * t.synthesisWindowQ30[i] + w[i + 480] * t.synthesisWindowQ30[i + 480]) / 2 ** 45;
      worstDual = Math.max(worstDual, Math.abs(d - 1));
    }
    // 32767^2 = 2^30 (1 - 2^-15) and each w rounded by 0.5: within 2^-13
    expect(worstPower).toBeLessThan(2 ** -13);
    // ws is rounded to 1 in 2^30 of a value <= 2^30, times w/2^15 <= 1, twice: <= 2^-30 relative.
    expect(worstDual).toBeLessThan(2 ** -29);
  });

  it('scatter is a permutation whose first-stage groups are contiguous (the C fuses windowing with stage 1)', () => {
    const sc = Array.from(t.fftScatter);
    expect(new Set(sc).size).toBe(512);
    expect(Math.max(...sc)).toBe(511);
    for (let r = 0; r < 128; r++) for (let q = 0; q < 4; q++) expect(sc[r + 128 * q]).toBe(sc[r] + q);
  });

  it('twiddles and cosine tables match cos/sin within their rounding', () => {
    const tw = t.fftTwiddlesQ31;
    let o = 0;
    for (const L of [4, 16, 64]) {
      for (let j = 0; j < L; j++) {
        for (let q = 1; q <= 3; q++) {
          const a = (2 * Math.PI * q * j) / (4 * L);
          expect(Math.abs(tw[o++] - Math.cos(a) * 2 ** 31)).toBeLessThanOrEqual(1);
          expect(Math.abs(tw[o++] - Math.sin(a) * 2 ** 31)).toBeLessThanOrEqual(1);
        }
      }
    }
    expect(o).toBe(504);
    for (let j = 0; j < 256; j++) {
      expect(Math.abs(tw[o++] - Math.cos((2 * Math.PI * j) / 512) * 2 ** 31)).toBeLessThanOrEqual(1);
      expect(Math.abs(tw[o++] - Math.sin((2 * Math.PI * j) / 512) * 2 ** 31)).toBeLessThanOrEqual(1);
    }
    expect(o).toBe(tw.length);
    for (let n = 0; n <= 256; n++) expect(Math.abs(t.cosQuarterQ31[n] - Math.cos((2 * Math.PI * n) / 1024) * 2 ** 31)).toBeLessThanOrEqual(1);
    for (let n = 0; n < 1024; n++) expect(Math.abs(t.cos1024Q15[n] - Math.cos((2 * Math.PI * n) / 1024) * 32768)).toBeLessThanOrEqual(1);
  });

  it('every table value fits its declared C type', () => {
    const range: Record<string, [number, number]> = { int16_t: [-32768, 32767], int32_t: [-(2 ** 31), 2 ** 31 - 1], uint16_t: [0, 65535] };
    for (const [name, ctype] of Object.entries(SPECTRAL_TABLE_CTYPES)) {
      const a = t[name as keyof SpectralTables];
      const [lo, hi] = range[ctype];
      for (const v of a) {
        expect(Number.isInteger(v), name).toBe(true);
        expect(v >= lo && v <= hi, `${name} value ${v} fits ${ctype}`).toBe(true);
      }
    }
  });
});

describe('ERB band layout', () => {
  it('34 strictly increasing peaks from 0 Hz to 20 kHz, ERB-spaced (nearest bin; only the lowest are pushed up)', () => {
    const e = t.bandEdgesBins;
    expect(e.length).toBe(NUM_BANDS);
    expect(e[0]).toBe(0);
    expect(e[NUM_BANDS - 1]).toBe(Math.round(TOP_BAND_HZ / BIN_HZ));
    const step = erbRate(TOP_BAND_HZ) / (NUM_BANDS - 1);
    for (let b = 1; b < NUM_BANDS; b++) {
      expect(e[b]).toBeGreaterThan(e[b - 1]);
      const ideal = erbRateInverse(step * b) / BIN_HZ;
      // nearest bin, or pushed up by one bin to stay strictly increasing (below 200 Hz)
      if (ideal > 200 / BIN_HZ) expect(Math.abs(e[b] - ideal), `edge ${b}`).toBeLessThanOrEqual(0.5);
      else expect(Math.abs(e[b] - ideal), `edge ${b}`).toBeLessThanOrEqual(1.5);
      // in ERB-rate units, the spacing is constant up to the bin rounding
      if (b > 8) {
        const lo = erbRate((e[b - 1] - 0.5) * BIN_HZ), hi = erbRate((e[b] + 0.5) * BIN_HZ);
        expect(hi - lo).toBeGreaterThanOrEqual(step * 0.5);
      }
    }
    expect(bandEdgesHz(t)[NUM_BANDS - 1]).toBeCloseTo(427 * 46.875, 6);
  });

  it('triangular responses sum to exactly 32768 at every bin and match the exact triangles within rounding', () => {
    const lay = bandLayout(t);
    for (let k = 0; k < NUM_BINS; k++) {
      let sum = 0;
      for (let b = 0; b < NUM_BANDS; b++) {
        const w = bandWeightQ15(t, b, k);
        sum += w;
        expect(Math.abs(w - 32768 * triangle(b, k)), `band ${b} bin ${k}`).toBeLessThanOrEqual(0.5);
      }
      expect(sum, `bin ${k}`).toBe(32768);
      const b = lay.bandOfBin[k];
      expect(k >= lay.edgesBins[b] && (b === NUM_BANDS - 1 || k < lay.edgesBins[b + 1])).toBe(true);
    }
    // each band peaks (32768) at its own edge
    for (let b = 0; b < NUM_BANDS; b++) expect(bandWeightQ15(t, b, t.bandEdgesBins[b])).toBe(32768);
  });
});

describe('forward spectrum', () => {
  it('matches a float DFT of frame * window within the derived bound, on every test frame', () => {
    // Error sources in X units (int16 sample units): windowed samples rounded to 1/16 (rms
    // 0.40, worst 960 * 0.5/16 = 30); 127 twiddle roundings on a path, each <= 1 guard unit per
    // component plus 2^-31 twiddle error (worst 127 * 1.6 guard, doubled by the split: 25.5;
    // rms 0.41); final rounding 0.5 (rms 0.29). Worst case 56; rms prediction 0.64.
    let worst = 0;
    let sumSq = 0;
    let n = 0;
    for (const { name, frame } of FRAMES) {
      const X = forwardSpectrum(frame, t);
      const F = floatSpectrum(frame);
      expect(X[1], name).toBe(0);
      expect(X[1025], name).toBe(0);
      for (let i = 0; i < 2 * NUM_BINS; i++) {
        const e = X[i] - F[i];
        worst = Math.max(worst, Math.abs(e));
        sumSq += e * e;
        n++;
      }
      for (let i = 0; i < 2 * NUM_BINS; i++) expect(Math.abs(X[i]), name).toBeLessThan(2 ** 24.27);
    }
    const rms = Math.sqrt(sumSq / n);
    expect(worst).toBeLessThanOrEqual(56);
    // far below the worst case in practice: 3.65 measured, on the full-scale 100 Hz square wave at
    // its fundamental (the 2^-31 twiddle errors scale with the signal there)
    expect(worst).toBeLessThan(6);
    expect(rms).toBeLessThan(0.8);
    console.log(`forward spectrum vs float DFT: max error ${worst.toFixed(3)}, rms ${rms.toFixed(3)} (int16-sample units)`);
  });

  it('a full-scale DC frame reaches the documented bound sum(w) < 2^24.26', () => {
    const X = forwardSpectrum(frameOf(() => -32768), t);
    const sumW = t.windowQ15.reduce((a, b) => a + b, 0);
    expect(Math.abs(X[0] + sumW)).toBeLessThanOrEqual(4);
    expect(sumW).toBeLessThan(2 ** 24.26);
  });
});

describe('synthesis', () => {
  it('analysis + synthesis with unit gains reconstructs the input 480 samples later within 2 LSB', () => {
    const x = streamSignal(240);
    const { out } = streamTs(x);
    let worst = 0;
    const hist = new Map<number, number>();
    for (let i = HOP_SAMPLES; i < x.length; i++) {
      const e = out[i] - x[i - HOP_SAMPLES];
      worst = Math.max(worst, Math.abs(e));
      hist.set(e, (hist.get(e) ?? 0) + 1);
    }
    expect(worst).toBeLessThanOrEqual(2);
    console.log(`reconstruction: max error ${worst} LSB over ${x.length - HOP_SAMPLES} samples, error histogram ${JSON.stringify(Object.fromEntries(hist))}`);
  });

  it('the inverse matches a float inverse DFT times the synthesis window within the derived bound', () => {
    // v = 4 IDFT(Y): per stage <= 1.6 (twiddle) + 0.71 (shift rounding) v-units, later scaled
    // stages do not amplify: <= 11.7 v-units = 2.9 samples, plus the two output roundings (0.53).
    let worst = 0;
    let sumSq = 0;
    let n = 0;
    for (let r = 0; r < 8; r++) {
      const amp = [2 ** 24, 2 ** 20, 2 ** 12, 100][r % 4];
      const Y = Int32Array.from({ length: 2 * NUM_BINS }, () => randInt(-amp, amp));
      const ola = new Int32Array(HOP_SAMPLES);
      const first = synthesizeHop(Y, ola, t);
      const second = synthesizeHop(new Int32Array(2 * NUM_BINS), ola, t);
      const v = floatInverse(Float64Array.from(Y));
      for (let i = 0; i < HOP_SAMPLES; i++) {
        const ws1 = t.synthesisWindowQ30[i] / 2 ** 30, ws2 = t.synthesisWindowQ30[i + HOP_SAMPLES] / 2 ** 30;
        for (const [got, want] of [[first[i], v[i] * ws1], [second[i], v[i + HOP_SAMPLES] * ws2]]) {
          const wantSat = Math.max(-32768, Math.min(32767, want));
          const e = got - wantSat;
          worst = Math.max(worst, Math.abs(e));
          sumSq += e * e;
          n++;
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(3.5);
    const rms = Math.sqrt(sumSq / n);
    expect(rms).toBeLessThan(0.6);
    console.log(`synthesis vs float inverse DFT: max error ${worst.toFixed(3)}, rms ${rms.toFixed(3)} LSB`);
  });

  it('clamps any Y to [-2^25, 2^25 - 1] before the inverse (no int32 overflow on extreme words)', () => {
    const ola = new Int32Array(HOP_SAMPLES);
    const Y = Int32Array.from({ length: 2 * NUM_BINS }, (_, i) => (i % 3 === 0 ? -(2 ** 31) : 2 ** 31 - 1));
    const clamped = Y.map((v) => Math.max(-(2 ** 25), Math.min(2 ** 25 - 1, v)));
    const a = synthesizeHop(Y, ola, t);
    const b = synthesizeHop(clamped, new Int32Array(HOP_SAMPLES), t);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('band energies and log energies', () => {
  it('band energies match sum of exact triangles times |X|^2 within the derived bound', () => {
    // E/4096 = sum w/32768 * 8 p with |8p - |X|^2| <= 4 and |w/32768 - triangle| <= 2^-16.
    for (const { name, frame } of FRAMES) {
      const X = forwardSpectrum(frame, t);
      const E = bandEnergies(X, t);
      for (let b = 0; b < NUM_BANDS; b++) {
        let ef = 0, support = 0, bins = 0;
        for (let k = 0; k < NUM_BINS; k++) {
          const tri = triangle(b, k);
          if (tri === 0) continue;
          ef += tri * power(X, k);
          support += power(X, k);
          bins++;
        }
        const bound = 4 * bins + support * 2 ** -16 + 1e-6 * ef;
        expect(Math.abs(Number(E[b]) / 4096 - ef), `${name} band ${b}`).toBeLessThanOrEqual(bound);
      }
    }
  });

  it('integer log2 (Q8.8) is within 0.5 + 0.72 LSB of the float log2, floor 0 below one |X|^2 unit', () => {
    const r = prng(3);
    let worst = 0;
    const values: bigint[] = [0n, 1n, 4095n, 4096n, 4097n, (1n << 62n) - 1n, 1n << 61n];
    for (let n = 12; n < 62; n++) values.push(1n << BigInt(n), (1n << BigInt(n)) + 1n, (3n << BigInt(n - 1)) - 1n);
    for (let i = 0; i < 20000; i++) {
      const bits = 12 + (r() % 50);
      values.push((BigInt(r()) * 2n ** 32n + BigInt(r())) % (1n << BigInt(bits)) + (1n << BigInt(bits)));
    }
    for (const e of values) {
      const q = log2EnergyQ8(e, t);
      if (e < 4096n) {
        expect(q).toBe(0);
        continue;
      }
      const f = 256 * (Math.log2(Number(e)) - 12);
      worst = Math.max(worst, Math.abs(q - f));
    }
    expect(worst).toBeLessThanOrEqual(1.22);
    console.log(`log2 Q8.8: max error ${worst.toFixed(3)} LSB (bound 1.22)`);
    expect(Array.from(bandLogEnergyQ8(new Int32Array(2 * NUM_BINS), t))).toEqual(new Array(NUM_BANDS).fill(0));
  });

  it('bandFeatures agrees with the separate functions', () => {
    for (const { frame } of FRAMES.slice(0, 10)) {
      const X = forwardSpectrum(frame, t);
      const C = combResponseQ15(137, t);
      const f = bandFeatures(X, C, t);
      expect(Array.from(f.energy)).toEqual(Array.from(bandEnergies(X, t)));
      expect(Array.from(f.logEnergyQ8)).toEqual(Array.from(bandLogEnergyQ8(X, t)));
      expect(Array.from(f.combCorrelationQ15)).toEqual(Array.from(bandCombCorrelationQ15(X, C, t)));
    }
  });
});

describe('interpolation, comb and gains', () => {
  it('band-to-bin interpolation matches the exact triangles within 1.5 LSB (0.5 rounding + weight rounding)', () => {
    for (let r = 0; r < 20; r++) {
      const g = Int16Array.from({ length: NUM_BANDS }, (_, b) => (r === 0 ? (b & 1 ? -32768 : 32767) : randInt(-32768, 32767)));
      const bins = interpolateBandGainsQ15(g, t);
      for (let k = 0; k < NUM_BINS; k++) {
        let f = 0;
        for (let b = 0; b < NUM_BANDS; b++) f += triangle(b, k) * g[b];
        expect(Math.abs(bins[k] - f), `bin ${k}`).toBeLessThanOrEqual(1.5);
      }
    }
    // constant band values interpolate exactly
    expect(Array.from(interpolateBandGainsQ15(new Int16Array(NUM_BANDS).fill(12345), t))).toEqual(new Array(NUM_BINS).fill(12345));
  });

  it('comb response matches the float formula within 2.2 LSB (taps, cosine rounding, 1.0 -> 32767)', () => {
    let worst = 0;
    for (const T of [60, 61, 97, 100, 137, 240, 256, 480, 767, 768]) {
      const C = combResponseQ15(T, t);
      for (let k = 0; k < NUM_BINS; k++) worst = Math.max(worst, Math.abs(C[k] - 32768 * combFloat(k, T)));
    }
    expect(worst).toBeLessThanOrEqual(2.2);
    expect(Array.from(combResponseQ15(0, t))).toEqual(new Array(NUM_BINS).fill(32767));
    // 1 at the harmonics (k T / 1024 integer), slightly negative minimum between them
    const C = combResponseQ15(256, t);
    expect(C[4]).toBe(32767);
    expect(Math.min(...combResponseQ15(137, t))).toBeLessThan(0);
    expect(Math.min(...combResponseQ15(137, t))).toBeGreaterThan(-0.025 * 32768);
    console.log(`comb vs formula: max error ${worst.toFixed(3)} LSB`);
  });

  it('comb response equals the amplitude ratio of the time-domain comb on a sinusoid at a bin frequency', () => {
    for (const T of [60, 137, 400, 768]) {
      const C = combResponseQ15(T, t);
      for (const k of [0, 1, 3, 17, 100, 255, 256, 300, 511, 512]) {
        const x = (n: number): number => Math.cos((2 * Math.PI * k * n) / 1024 + 0.7);
        // y[n] = sum_m h_m x[n + m T]; project y on x over whole periods of the sinusoid
        let yx = 0, xx = 0, yq = 0;
        for (let n = 0; n < 4096; n++) {
          let y = 0;
          for (let m = -2; m <= 2; m++) y += HANN[Math.abs(m)] * x(n + m * T);
          yx += y * x(n);
          xx += x(n) * x(n);
          yq += y * Math.sin((2 * Math.PI * k * n) / 1024 + 0.7);
        }
        const ratio = yx / xx;
        expect(Math.abs(C[k] / 32768 - ratio), `T ${T} bin ${k}`).toBeLessThanOrEqual(2.2 / 32768 + 1e-9);
        // zero phase: no quadrature part (sin is orthogonal to cos except at bins 0 and 512)
        if (k % 512 !== 0) expect(Math.abs(yq / 4096)).toBeLessThan(1e-9);
      }
    }
  });

  it('per-bin gains: round-half-up of X g / 2^15, saturating only at X = -2^31, g = -32768', () => {
    const X = Int32Array.from({ length: 2 * NUM_BINS }, (_, i) => (i < 6 ? [-(2 ** 31), 2 ** 31 - 1, 16384, -16384, 1, -1][i] : randInt(-(2 ** 31), 2 ** 31 - 1)));
    const g = Int16Array.from({ length: NUM_BINS }, (_, k) => (k < 3 ? -32768 : randInt(-32768, 32767)));
    const Y = applyBinGainsQ15(X, g);
    for (let i = 0; i < 2 * NUM_BINS; i++) {
      const exact = (BigInt(X[i]) * BigInt(g[i >> 1]) + 16384n) >> 15n;
      const sat = exact > 2147483647n ? 2147483647n : exact;
      expect(Y[i]).toBe(Number(sat));
      expect(Math.abs(Y[i] - (X[i] * g[i >> 1]) / 32768)).toBeLessThanOrEqual(0.5 + (exact !== sat ? 1 : 0));
    }
    expect(Y[0]).toBe(2 ** 31 - 1); // -2^31 * -1
  });
});

/** The per-bin gain path the fused C kernel (arrayc_ns_apply_band_gains) implements. */
function bandGainsComposition(X: Int32Array, gBands: Int16Array, rBands: Int16Array, C: Int16Array): Int32Array {
  const G = binGainsQ15(interpolateBandGainsQ15(gBands, t), interpolateBandGainsQ15(rBands, t), C, new Int16Array(NUM_BINS));
  return applyBinGainsQ15(X, G);
}

describe('fused band gains (interpolation, comb mix, per-bin gain)', () => {
  it('matches X g (1 - r + r C) with exactly interpolated g, r within the derived bound', () => {
    // g, r within 1.5 LSB of the exact triangles (tested above); mix = 1 - r + r C moves by
    // |dr| |1 - C| <= 3 plus 0.5 rounding (the clamp to [0, 1) only shrinks errors); G = g mix by
    // |dg| + |dmix| + 0.5 <= 5.5 Q15 LSB; Y by |X| 5.5 / 2^15 + 0.5.
    let worstRel = 0;
    for (let n = 0; n < 12; n++) {
      const X = n < 6 ? forwardSpectrum(FRAMES[(n * 5) % FRAMES.length].frame, t) : Int32Array.from({ length: 2 * NUM_BINS }, () => randInt(-(2 ** 31), 2 ** 31 - 1));
      const g = Int16Array.from({ length: NUM_BANDS }, () => randInt(0, 32767));
      const r = Int16Array.from({ length: NUM_BANDS }, () => randInt(0, 32767));
      const C = n % 2 ? combResponseQ15([97, 137, 300][n % 3], t) : Int16Array.from({ length: NUM_BINS }, () => randInt(-32768, 32767));
      const Y = bandGainsComposition(X, g, r, C);
      for (let k = 0; k < NUM_BINS; k++) {
        let gf = 0, rf = 0;
        for (let b = 0; b < NUM_BANDS; b++) {
          gf += triangle(b, k) * g[b];
          rf += triangle(b, k) * r[b];
        }
        const mix = Math.max(0, Math.min(32767, 32768 - rf + (rf * C[k]) / 32768));
        const G = (gf * mix) / 32768 / 32768;
        for (const i of [2 * k, 2 * k + 1]) {
          const e = Math.abs(Y[i] - X[i] * G);
          const bound = (Math.abs(X[i]) * 5.5) / 32768 + 0.5;
          expect(e, `record ${n} bin ${k}`).toBeLessThanOrEqual(bound);
          worstRel = Math.max(worstRel, e / bound);
        }
      }
    }
    console.log(`fused gains vs float: worst error ${(worstRel * 100).toFixed(1)}% of the bound`);
  });
});

describe('band comb correlation', () => {
  it('matches the float ratio with exact triangles within the derived per-band bound', () => {
    for (const { name, frame } of FRAMES) {
      const X = forwardSpectrum(frame, t);
      for (const T of [0, 97, 300]) {
        const C = combResponseQ15(T, t);
        const rho = bandCombCorrelationQ15(X, C, t);
        for (let b = 0; b < NUM_BANDS; b++) {
          let num = 0, den = 0, support = 0;
          for (let k = 0; k < NUM_BINS; k++) {
            const tri = triangle(b, k);
            if (tri === 0) continue;
            num += tri * (C[k] / 32768) * power(X, k);
            den += tri * power(X, k);
            support += power(X, k);
          }
          if (den === 0) {
            expect(rho[b]).toBe(0);
            continue;
          }
          // wc rounded to 0.5/32768 and w to 2^-16 over the support, |8p - |X|^2| <= 4, final 0.5
          const bound = 0.5 + (32768 * (support * 2 ** -15 + 4 * 2 * NUM_BINS)) / den + 0.5;
          const want = Math.max(-32768, Math.min(32767, (32768 * num) / den));
          expect(Math.abs(rho[b] - want), `${name} T ${T} band ${b}`).toBeLessThanOrEqual(bound);
        }
      }
    }
  });

  it('is near 1 on a harmonic signal at the comb period and near h0 = 1/3 on white noise', () => {
    const T = 160; // 300 Hz
    const harmonic = frameOf((i) => {
      let v = 0;
      for (let h = 1; h <= 20; h++) v += Math.cos((2 * Math.PI * h * i) / T + h) / h;
      return 12000 * v;
    });
    const rhoH = bandCombCorrelationQ15(forwardSpectrum(harmonic, t), combResponseQ15(T, t), t);
    // from band 9 (bins 11-13) up, every band's support holds a harmonic (at 6.4 h bins); narrower
    // bands below can sit between two harmonics (band 8: bins 9-11, rho ~0.05)
    for (let b = 9; b <= 25; b++) expect(rhoH[b], `band ${b}`).toBeGreaterThan(0.75 * 32768);
    expect(rhoH[8]).toBeLessThan(0.2 * 32768);
    const noise = frameOf(() => randInt(-20000, 20000));
    const rhoN = bandCombCorrelationQ15(forwardSpectrum(noise, t), combResponseQ15(T, t), t);
    const wide = Array.from(rhoN.slice(24)).reduce((a, b) => a + b, 0) / (NUM_BANDS - 24);
    expect(Math.abs(wide / 32768 - 1 / 3)).toBeLessThan(0.1);
  });
});

describe('C kernels against the reference, word for word', () => {
  it('forward spectrum on random and adversarial frames', async () => {
    const exe = await driver();
    const got = await runHostC(exe, words([[FRAMES.length], ...FRAMES.map((f) => f.frame)]), ['fwd']);
    const want = words(FRAMES.map((f) => forwardSpectrum(f.frame, t)));
    const d = firstDiff(got, want);
    expect(d, d >= 0 ? `frame ${FRAMES[Math.floor(d / 1026)]?.name} word ${d % 1026}` : '').toBe(-1);
  });

  it('synthesis with state over random, clamped and gained spectra', async () => {
    const hops: Int32Array[] = [];
    for (let r = 0; r < 40; r++) hops.push(Int32Array.from({ length: 2 * NUM_BINS }, () => randInt(-(2 ** 24), 2 ** 24)));
    hops.push(Int32Array.from({ length: 2 * NUM_BINS }, (_, i) => (i & 1 ? -(2 ** 31) : 2 ** 31 - 1)));
    hops.push(Int32Array.from({ length: 2 * NUM_BINS }, (_, i) => (i % 4 < 2 ? 2 ** 25 : -(2 ** 25) - 1)));
    hops.push(Int32Array.from({ length: 2 * NUM_BINS }, () => randInt(-(2 ** 31), 2 ** 31 - 1)));
    for (const { frame } of FRAMES) {
      const X = forwardSpectrum(frame, t);
      hops.push(applyBinGainsQ15(X, Int16Array.from({ length: NUM_BINS }, () => randInt(-32768, 32767))));
      hops.push(X);
    }
    hops.push(new Int32Array(2 * NUM_BINS));
    const ola = new Int32Array(HOP_SAMPLES);
    const want = words([...hops.map((Y) => synthesizeHop(Y, ola, t)), ola]);
    const got = await runHostC(await driver(), words([[hops.length], ...hops]), ['synth']);
    const d = firstDiff(got, want);
    expect(d, d >= 0 ? `hop ${Math.floor(d / 480)} sample ${d % 480}` : '').toBe(-1);
  });

  it('a long run of hops through forward + synthesis (state carried in both)', async () => {
    const x = streamSignal(300);
    const { out, ola } = streamTs(x);
    const got = await runHostC(await driver(), words([[x.length / HOP_SAMPLES], x]), ['stream']);
    const d = firstDiff(got, words([out, ola]));
    expect(d, d >= 0 ? `sample ${d}` : '').toBe(-1);
  });

  it('band energies, log energies, comb correlation, band features, comb response and interpolation', async () => {
    const records: { X: Int32Array; T: number; C: Int16Array; bands: Int16Array }[] = [];
    const periods = [0, 60, 61, 97, 137, 240, 500, 767, 768];
    FRAMES.forEach(({ frame }, i) => {
      const X = forwardSpectrum(frame, t);
      const T = periods[i % periods.length];
      const C = i % 3 === 0 ? combResponseQ15(T, t) : Int16Array.from({ length: NUM_BINS }, (_, k) => (k % 7 === 0 ? -32768 : randInt(-32768, 32767)));
      const bands = Int16Array.from({ length: NUM_BANDS }, (_, b) => (i % 4 === 0 ? (b & 1 ? -32768 : 32767) : randInt(-32768, 32767)));
      records.push({ X, T, C, bands });
      // the same frame with random gains (what the synthesis sees)
      records.push({ X: applyBinGainsQ15(X, Int16Array.from({ length: NUM_BINS }, () => randInt(-32768, 32767))), T, C, bands });
    });
    // random spectra well inside the energy bound, and a zero spectrum
    for (let r = 0; r < 6; r++) {
      const X = Int32Array.from({ length: 2 * NUM_BINS }, () => randInt(-(2 ** 20), 2 ** 20));
      records.push({ X, T: periods[r], C: combResponseQ15(periods[r], t), bands: new Int16Array(NUM_BANDS).fill(-32768) });
    }
    records.push({ X: new Int32Array(2 * NUM_BINS), T: 0, C: new Int16Array(NUM_BINS).fill(32767), bands: new Int16Array(NUM_BANDS) });
    const want = words(
      records.flatMap(({ X, T, C, bands }) => {
        const f = bandFeatures(X, C, t);
        return [
          Array.from(bandEnergies(X, t)).flatMap(split64), bandLogEnergyQ8(X, t), bandCombCorrelationQ15(X, C, t),
          Array.from(f.energy).flatMap(split64), f.logEnergyQ8, f.combCorrelationQ15,
          combResponseQ15(T, t), interpolateBandGainsQ15(bands, t),
        ];
      }),
    );
    const got = await runHostC(await driver(), words([[records.length], ...records.flatMap(({ X, T, C, bands }) => [X, [T], C, bands])]), ['bands']);
    const d = firstDiff(got, want);
    const per = 68 + 34 + 34 + 68 + 34 + 34 + 513 + 513;
    expect(d, d >= 0 ? `record ${Math.floor(d / per)} word ${d % per}` : '').toBe(-1);
  });

  it('fused band gains equal interpolate x2 + binGainsQ15 + applyBinGainsQ15, in place and not', async () => {
    const records: { X: Int32Array; g: Int16Array; r: Int16Array; C: Int16Array; inPlace: number }[] = [];
    for (let n = 0; n < 24; n++) {
      const X =
        n < 8 ? forwardSpectrum(FRAMES[(n * 7) % FRAMES.length].frame, t)
        : n === 8 ? Int32Array.from({ length: 2 * NUM_BINS }, (_, i) => (i & 1 ? -(2 ** 31) : 2 ** 31 - 1))
        : n === 9 ? new Int32Array(2 * NUM_BINS).fill(-(2 ** 31))
        : Int32Array.from({ length: 2 * NUM_BINS }, () => randInt(-(2 ** 31), 2 ** 31 - 1));
      const kind = n % 6;
      const band = (): Int16Array =>
        Int16Array.from({ length: NUM_BANDS }, (_, b) =>
          kind === 0 ? randInt(0, 32767) : kind === 1 ? (b & 1 ? -32768 : 32767) : kind === 2 ? 32767 : kind === 3 ? -32768 : kind === 4 ? (b & 2 ? 0 : 32767) : randInt(-32768, 32767));
      const C = n % 3 === 0 ? combResponseQ15([0, 97, 300, 768][n % 4], t) : Int16Array.from({ length: NUM_BINS }, (_, k) => (k % 5 === 0 ? -32768 : k % 7 === 0 ? 32767 : randInt(-32768, 32767)));
      records.push({ X, g: band(), r: band(), C, inPlace: n & 1 });
    }
    const want = words(records.map(({ X, g, r, C }) => bandGainsComposition(X, g, r, C)));
    const got = await runHostC(await driver(), words([[records.length], ...records.flatMap(({ X, g, r, C, inPlace }) => [X, g, r, C, [inPlace]])]), ['fused']);
    const d = firstDiff(got, want);
    expect(d, d >= 0 ? `record ${Math.floor(d / 1026)} word ${d % 1026}` : '').toBe(-1);
  });

  it('comb response written at an odd halfword address (word stores only from the first word boundary)', async () => {
    const periods = [0, 60, 137, 768];
    const got = await runHostC(await driver(), words([[periods.length], periods]), ['comb_odd']);
    const want = words(periods.map((T) => [1234, ...combResponseQ15(T, t), 1234]));
    expect(firstDiff(got, want)).toBe(-1);
  });

  it('band ratio and log2 helpers against BigInt on edge cases (ties, |num| = den, scaled dens)', async () => {
    // rho = floor((nm 2^16 + d) / (2 d)) after s = max(0, bitlen(den) - 46), clamped (as correlationQ15)
    const ratioRef = (num: bigint, den: bigint): number => {
      if (den <= 0n) return 0;
      const s = BigInt(Math.max(0, den.toString(2).length - 46));
      const d = den >> s, nm = num >> s;
      const a = nm * 65536n + d, dd = 2n * d;
      let q = a / dd;
      if (a < 0n && q * dd !== a) q -= 1n;
      return Number(q > 32767n ? 32767n : q < -32768n ? -32768n : q);
    };
    const r = prng(5);
    const rand64 = (bits: number): bigint => (BigInt(r()) * 2n ** 32n + BigInt(r())) % (1n << BigInt(bits));
    const pairs: [bigint, bigint][] = [[0n, 0n], [5n, 0n]];
    const dens: bigint[] = [1n, 2n, 3n, 7n, 65535n, 65536n, (1n << 62n) - 1n];
    for (let k = 1; k < 62; k++) dens.push(1n << BigInt(k), (1n << BigInt(k)) - 1n, (1n << BigInt(k)) + 1n, rand64(k) + (1n << BigInt(k)));
    for (const den of dens) {
      const half = den / 2n;
      for (const num of [den, -den, den - 1n, 1n - den, 0n, half, -half, half + 1n, -half - 1n, den / 3n, -den / 3n, den / 65536n, rand64(62) % (den + 1n), -(rand64(62) % (den + 1n))]) {
        pairs.push([num, den]);
      }
    }
    // exact ties of the rounding, (nm 2^16 + d) / (2 d) = q: num = (2q - 1) d / 2^16 for d = 2^k
    for (let k = 16; k < 62; k++) {
      const den = 1n << BigInt(k);
      for (const q of [-32767n, -5n, 0n, 1n, 7n, 100n, 32767n]) {
        const num = ((2n * q - 1n) * den) >> 16n;
        if (num <= den && num >= -den) pairs.push([num, den]);
      }
    }
    const got = await runHostC(await driver(), words([[pairs.length], ...pairs.map(([n, d]) => [...split64(n), ...split64(d)])]), ['ratio']);
    const want = pairs.map(([n, d]) => ratioRef(n, d));
    const d = firstDiff(got, want);
    expect(d, d >= 0 ? `num ${pairs[d][0]} den ${pairs[d][1]}: ${got[d]} vs ${want[d]}` : '').toBe(-1);

    const energies: bigint[] = [0n, 1n, 4095n, 4096n, 4097n, (1n << 62n) - 1n, (1n << 62n) + 12345n, (1n << 63n) - 1n];
    for (let k = 12; k < 63; k++) energies.push(1n << BigInt(k), (1n << BigInt(k)) - 1n, (1n << BigInt(k)) + 1n, rand64(k) + (1n << BigInt(k)));
    const gotL = await runHostC(await driver(), words([[energies.length], ...energies.map(split64)]), ['log2']);
    expect(firstDiff(gotL, energies.map((e) => log2EnergyQ8(e, t)))).toBe(-1);
  });

  it('per-bin gains including the saturating corner', async () => {
    const records: { X: Int32Array; g: Int16Array }[] = [];
    for (let r = 0; r < 8; r++) {
      records.push({
        X: Int32Array.from({ length: 2 * NUM_BINS }, (_, i) => (r === 0 ? (i & 1 ? -(2 ** 31) : 2 ** 31 - 1) : randInt(-(2 ** 31), 2 ** 31 - 1))),
        g: Int16Array.from({ length: NUM_BINS }, (_, k) => (r < 2 || k % 5 === 0 ? -32768 : randInt(-32768, 32767))),
      });
    }
    const want = words(records.map(({ X, g }) => applyBinGainsQ15(X, g)));
    const got = await runHostC(await driver(), words([[records.length], ...records.flatMap(({ X, g }) => [X, g])]), ['gains']);
    expect(firstDiff(got, want)).toBe(-1);
  });
});
