// The noise suppressor's pitch tracker: the integer normalized correlation against float, the
// tracker on synthetic periodic signals of known period (pulse trains, sawtooth-like and vowel-like
// harmonic series, clean and at 10 dB SNR), white noise, glides (no octave jumps), a misleading
// frame (the trajectory wins), and the C kernel against the reference, word for word (outputs and
// the whole state after every hop) on random, periodic and adversarial streams.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  PITCH_STATE, createPitchState, createPitchTrace, normRhoQ15, pitchAnalyzeHop, pitchConfig, pitchStateLength,
  pitchTables, pitchTablesC, rhoErrorBoundQ15, rsqrtQ15, unpackSamples,
} from '../src/fixed/ns/pitch.ts';
import type { PitchResult } from '../src/fixed/ns/pitch.ts';
import { TEMPLATE_DIR, boardTargets } from '../src/toolchain/boards.ts';
import { prng } from '../src/toolchain/vectors.ts';
import { compileHostC, runHostC } from './hostC.ts';

const cfg = pitchConfig();
const tables = pitchTables();
const HOP = cfg.hopSamples;
const KERNEL = fileURLToPath(new URL('../src/fixed/blocks/ns/pitch.c', import.meta.url));

// ------------------------------------------------------------------------------------------------
// Signals

const rand = prng(11);
const uniform = (): number => (rand() + 0.5) / 2 ** 32;
const gauss = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());

/** Harmonic amplitude laws (f in Hz, h the harmonic number). */
const KINDS: Record<string, (f: number, h: number) => number> = {
  // band-limited pulse train: every harmonic at equal amplitude, zero phase
  pulse: () => 1,
  // sawtooth-like: harmonics decaying as 1/h
  saw: (_f, h) => 1 / h,
  // vowel-like /a/: glottal source with lip radiation (-6 dB/octave) through four all-pole formants
  vowel: (f) => {
    let g = 100 / f;
    for (const [fc, bw] of [[730, 90], [1090, 110], [2440, 170], [3400, 250]]) {
      const r = f / fc;
      g /= Math.sqrt((1 - r * r) ** 2 + ((f * bw) / (fc * fc)) ** 2);
    }
    return g;
  },
};

/** Sum of the harmonics below 20 kHz of a period that may change per sample (48 kHz samples). */
function harmonicSignal(n: number, periodAt: (i: number) => number, amp: (f: number, h: number) => number): Float64Array {
  const out = new Float64Array(n);
  let phase = 0; // cycles of the fundamental
  for (let i = 0; i < n; i++) {
    const f0 = 48000 / periodAt(i);
    let s = 0;
    for (let h = 1; h * f0 < 20000; h++) s += amp(h * f0, h) * Math.cos(2 * Math.PI * h * phase);
    out[i] = s;
    phase += 1 / periodAt(i);
  }
  return out;
}

/** Scales to the given peak and adds white Gaussian noise at snrDb (null: clean), as int16. */
function toInt16(sig: Float64Array, peak: number, snrDb: number | null): Int16Array {
  let mx = 0;
  let pw = 0;
  for (const v of sig) {
    mx = Math.max(mx, Math.abs(v));
    pw += v * v;
  }
  const g = peak / mx;
  const sd = snrDb === null ? 0 : Math.sqrt(((pw / sig.length) * g * g) / 10 ** (snrDb / 10));
  return Int16Array.from(sig, (v) => Math.max(-32768, Math.min(32767, Math.round(v * g + sd * gauss()))));
}

function track(x: Int16Array, state = createPitchState()): PitchResult[] {
  const out: PitchResult[] = [];
  for (let h = 0; h + HOP <= x.length; h += HOP) out.push(pitchAnalyzeHop(x.subarray(h, h + HOP), state, tables));
  return out;
}

// ------------------------------------------------------------------------------------------------
// Integer arithmetic against float

describe('pitch: integer normalized correlation against float', () => {
  it('configuration and tables', () => {
    expect(cfg.minPeriodSamples).toBe(60);
    expect(cfg.maxPeriodSamples).toBe(768);
    expect(cfg.decimatedRate).toBe(8000);
    expect(cfg.lagStates).toBe(119);
    expect(pitchStateLength()).toBe(PITCH_STATE.length);
    expect(createPitchState().length).toBe(pitchStateLength());
    expect(tables.lowpassQ15.reduce((a, v) => a + v, 0)).toBe(32768);
    // The decimation sums (any subset of the taps against full-scale samples, plus the rounding
    // constant) stay inside int32: the C accumulates them in 32 bits (SMLAD).
    expect(tables.lowpassQ15.reduce((a, v) => a + Math.abs(v), 0) * 32768 + 16384).toBeLessThan(2 ** 31);
    for (let k = 0; k < 16; k++) {
      expect(tables.lowpassPairsQ15[k]).toBe((tables.lowpassQ15[2 * k + 1] & 0xffff) | (tables.lowpassQ15[2 * k] << 16));
    }
    expect(2 * tables.halfLagQ15.reduce((a, v) => a + v, 0)).toBe(32768);
    // The half-lag sum of 4 products with pair sums |rho + rho| <= 65534 stays inside int32 (the C
    // accumulates in 32 bits).
    expect(tables.halfLagQ15.reduce((a, v) => a + Math.abs(v), 0) * 65534 + 16384).toBeLessThan(2 ** 31);
    expect(tables.rsqrtQ15[0]).toBe(32768);
    expect(tables.rsqrtQ15[192]).toBe(16384);
  });

  it('reciprocal square root within 2.5 LSB of 2^15 / sqrt(mantissa), over 1..2^52', () => {
    const r = prng(3);
    let worst = 0;
    for (let t = 0; t < 20000; t++) {
      const bits = 1 + (r() % 52);
      const e = Math.max(1, Math.floor((r() / 2 ** 32) * 2 ** bits));
      const [q, p] = rsqrtQ15(e, tables.rsqrtQ15);
      expect(q).toBeGreaterThanOrEqual(16384);
      expect(q).toBeLessThanOrEqual(32768);
      // relative error of q / 2^p against 1/sqrt(e); the bound: 2.5 LSB of >= 16384, plus the
      // truncation of the mantissa (< 2^-22 relative, halved by the square root)
      const rel = Math.abs((q / 2 ** p) * Math.sqrt(e) - 1);
      worst = Math.max(worst, rel);
    }
    expect(worst).toBeLessThan(2.5 / 16384 + 2 ** -23);
  });

  it('normRhoQ15 within rhoErrorBoundQ15 of 32768 c / sqrt(E0 E) on random triples', () => {
    const r = prng(5);
    const bound = rhoErrorBoundQ15();
    expect(bound).toBeLessThan(18);
    let worst = 0;
    for (let t = 0; t < 20000; t++) {
      const e0 = Math.max(1, Math.floor((r() / 2 ** 32) * 2 ** (1 + (r() % 40))));
      const e = Math.max(1, Math.floor((r() / 2 ** 32) * 2 ** (1 + (r() % 40))));
      const rho = r() / 2 ** 32;
      const c = Math.floor(rho * Math.sqrt(e0 * e));
      const [r0, p0] = rsqrtQ15(e0, tables.rsqrtQ15);
      const q = normRhoQ15(c, e, r0, p0, tables.rsqrtQ15);
      const ref = Math.min(32767, (32768 * c) / Math.sqrt(e0 * e));
      worst = Math.max(worst, Math.abs(q - ref));
    }
    expect(worst).toBeLessThanOrEqual(bound);
  });

  it('coarse rho equals the float normalized correlation of the decimated window, xc sums exact', () => {
    const x = toInt16(harmonicSignal(HOP * 12, () => 173, KINDS.vowel), 20000, 10);
    const state = createPitchState();
    const bound = rhoErrorBoundQ15();
    let worst = 0;
    for (let h = 0; h < 12; h++) {
      const tr = createPitchTrace();
      pitchAnalyzeHop(x.subarray(h * HOP, h * HOP + HOP), state, tables, tr);
      // the decimated history as kept in the state: the window is its last 160 samples
      const y = unpackSamples(state, PITCH_STATE.historyDecimated, cfg.historyDecimated);
      const w0 = cfg.historyDecimated - cfg.windowDecimated;
      let e0 = 0;
      for (let i = 0; i < cfg.windowDecimated; i++) e0 += y[w0 + i] * y[w0 + i];
      for (let k = 0; k < cfg.lagStates; k++) {
        const tau = cfg.minLagDecimated + k;
        let xc = 0;
        let e = 0;
        for (let i = 0; i < cfg.windowDecimated; i++) {
          xc += y[w0 + i] * y[w0 + i - tau];
          e += y[w0 + i - tau] ** 2;
        }
        // the half-window bookkeeping (older half from the previous hop) is exact
        expect(tr.coarseXc[k]).toBe(xc);
        expect(tr.coarseEnergyLag[k]).toBe(e);
        if (h >= 2) {
          const ref = (32768 * xc) / Math.sqrt(e0 * e);
          worst = Math.max(worst, Math.abs(tr.coarseRhoQ15[k] - Math.max(-32767, Math.min(32767, ref))));
        }
      }
      expect(tr.coarseEnergy0).toBe(e0);
    }
    expect(worst).toBeLessThanOrEqual(bound);
  });
});

// ------------------------------------------------------------------------------------------------
// Tracking

describe('pitch: synthetic signals of known period', () => {
  const PERIODS = [60, 97, 160, 240.5, 400, 700];
  const HOPS = 8;
  const FIRST = 3; // "after 3 frames": the history then covers window + longest lag

  for (const [kind, amp] of Object.entries(KINDS)) {
    for (const snr of [null, 10]) {
      it(`${kind}, ${snr === null ? 'clean' : `${snr} dB SNR`}: period within +/-1 (0.5 % fractional) from frame ${FIRST}`, () => {
        for (const P of PERIODS) {
          const x = toInt16(harmonicSignal(HOP * HOPS, () => P, amp), 16000, snr);
          const res = track(x);
          const tol = Number.isInteger(P) ? 1 : 0.005 * P;
          for (let h = FIRST; h < HOPS; h++) {
            const { periodSamples, correlationQ15 } = res[h];
            expect(Math.abs(periodSamples - P), `period ${P} frame ${h}: ${periodSamples}`).toBeLessThanOrEqual(tol);
            // a fractional period's pulses fall between 48 kHz samples: its integer lag correlates less
            const minCorr = (snr === null ? 0.9 : 0.75) * (Number.isInteger(P) || kind !== 'pulse' ? 1 : 0.7);
            expect(correlationQ15 / 32768, `period ${P} frame ${h}`).toBeGreaterThan(minCorr);
          }
        }
      });
    }
  }

  it('white noise alone: low correlation', () => {
    const x = Int16Array.from({ length: HOP * 40 }, () => Math.round(8000 * gauss()));
    const res = track(x);
    for (let h = FIRST; h < res.length; h++) expect(res[h].correlationQ15 / 32768).toBeLessThan(0.25);
  });

  it('silence: period 0, correlation 0', () => {
    for (const r of track(new Int16Array(HOP * 6))) expect(r).toEqual({ periodSamples: 0, correlationQ15: 0 });
  });
});

describe('pitch: trajectory', () => {
  it('glides are tracked without octave jumps (10 dB SNR)', () => {
    const HOPS = 100;
    for (const [a, b] of [[100, 250], [250, 100], [90, 600], [600, 90], [200, 220]]) {
      for (const [kind, amp] of Object.entries(KINDS)) {
        const periodAt = (i: number): number => a * (b / a) ** (i / (HOP * HOPS));
        const x = toInt16(harmonicSignal(HOP * HOPS, periodAt, amp), 16000, 10);
        const res = track(x);
        for (let h = 3; h < HOPS; h++) {
          const truth = periodAt(h * HOP); // middle of the 960-sample window
          const err = Math.abs(Math.log2(res[h].periodSamples / truth));
          // about 3 % (0.045 octave): the period moves within the window; an octave error would be 1
          expect(err, `${kind} ${a}->${b} frame ${h}: ${res[h].periodSamples} vs ${truth.toFixed(1)}`).toBeLessThan(0.045);
        }
      }
    }
  });

  it('a single misleading frame (period doubling for one hop) does not move the trajectory', () => {
    const P = 160;
    const HOPS = 30;
    const BAD = 20;
    const n = HOP * HOPS;
    const pulses = new Float64Array(n);
    for (let k = 0; k * P < n; k++) {
      const c = k * P;
      // during hop BAD every other glottal pulse is missing: that hop alone has period 2P
      const a = Math.floor(c / HOP) === BAD && k % 2 === 1 ? 0 : 1;
      for (let j = -8; j <= 8; j++) if (c + j >= 0 && c + j < n) pulses[c + j] += a * 0.5 * (1 + Math.cos((Math.PI * j) / 8));
    }
    const x = Int16Array.from(pulses, (v) => Math.round(12000 * v + 300 * gauss()));
    const state = createPitchState();
    const frameWiseLag: number[] = [];
    const periods: number[] = [];
    for (let h = 0; h < HOPS; h++) {
      const tr = createPitchTrace();
      periods.push(pitchAnalyzeHop(x.subarray(h * HOP, h * HOP + HOP), state, tables, tr).periodSamples);
      // what the observation alone prefers: the best weighted correlation on the half-lag grid
      let bi = 0;
      let bv = -1;
      tr.coarseRhoHalfQ15.forEach((v, i) => {
        const wv = v * tables.lagWeightQ15[i >> 1];
        if (wv > bv) {
          bv = wv;
          bi = i;
        }
      });
      frameWiseLag.push(6 * (cfg.minLagDecimated + bi / 2));
    }
    // the frame alone points at the double period ...
    expect(Math.abs(frameWiseLag[BAD] - 2 * P)).toBeLessThanOrEqual(6);
    // ... but the trajectory stays on P, before, during and after
    for (let h = 3; h < HOPS; h++) expect(Math.abs(periods[h] - P), `frame ${h}: ${periods[h]}`).toBeLessThanOrEqual(1);
  });
});

// ------------------------------------------------------------------------------------------------
// C against the reference

function cArray(name: string, type: string, a: ArrayLike<number>): string {
  return `static const ${type} ${name}[${a.length}] = { ${Array.from(a).join(', ')} };\n`;
}

const DRIVER = `#include <stdint.h>
#include <string.h>
#include <stdio.h>
#define ARRAYC_NOINLINE __attribute__((noinline))
#include "${KERNEL}"
${pitchTablesC(tables, '')}
static int32_t state[ARRAYC_NS_PITCH_STATE_WORDS];
int main(void)
{
    int32_t head[2];
    if (fread(head, sizeof head, 1, stdin) != 1) return 1;
    const int32_t withState = head[1];
    if (head[0] < 0) { /* info */
        const int32_t info[1] = { ARRAYC_NS_PITCH_STATE_WORDS };
        fwrite(info, sizeof info, 1, stdout);
        return 0;
    }
    for (int32_t h = 0; h < head[0]; h++) {
        int32_t in[ARRAYC_NS_PITCH_HOP];
        int16_t hop[ARRAYC_NS_PITCH_HOP];
        if (fread(in, sizeof in, 1, stdin) != 1) return 2;
        for (int i = 0; i < ARRAYC_NS_PITCH_HOP; i++) hop[i] = (int16_t)in[i];
        int32_t result[2];
        arrayc_ns_pitch_analyze_hop(hop, state, lowpassPairsQ15, rsqrtQ15, stepCostQ15, lagWeightQ15, halfLagQ15, result);
        fwrite(result, sizeof result, 1, stdout);
        if (withState) fwrite(state, sizeof state, 1, stdout);
    }
    return 0;
}
`;

/** Runs x through the C kernel and the reference; expects every output and state word equal. */
async function expectCMatchesTs(name: string, x: Int16Array, withState = true): Promise<void> {
  const exe = await compileHostC(DRIVER);
  const hops = Math.floor(x.length / HOP);
  const input = new Int32Array(2 + hops * HOP);
  input[0] = hops;
  input[1] = withState ? 1 : 0;
  for (let i = 0; i < hops * HOP; i++) input[2 + i] = x[i];
  const out = await runHostC(exe, input);
  const L = pitchStateLength();
  const per = 2 + (withState ? L : 0);
  expect(out.length, name).toBe(hops * per);
  const state = createPitchState();
  for (let h = 0; h < hops; h++) {
    const r = pitchAnalyzeHop(x.subarray(h * HOP, h * HOP + HOP), state, tables);
    const o = h * per;
    if (out[o] !== r.periodSamples || out[o + 1] !== r.correlationQ15) {
      expect([out[o], out[o + 1]], `${name}: hop ${h} result`).toEqual([r.periodSamples, r.correlationQ15]);
    }
    if (withState) {
      for (let i = 0; i < L; i++) {
        if (out[o + 2 + i] !== state[i]) expect(out[o + 2 + i], `${name}: hop ${h} state word ${i}`).toBe(state[i]);
      }
    }
  }
}

function signal(n: number, f: (i: number) => number): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.max(-32768, Math.min(32767, Math.round(f(i)))));
}

describe('pitch: C kernel against the reference, word for word', () => {
  it('state length agrees', async () => {
    const exe = await compileHostC(DRIVER);
    const out = await runHostC(exe, Int32Array.from([-1, 0]));
    expect(out[0]).toBe(pitchStateLength());
  });

  it('random noise at several levels', async () => {
    const r = prng(21);
    for (const amp of [32768, 8000, 300, 3]) {
      await expectCMatchesTs(`noise ${amp}`, signal(HOP * 12, () => ((r() / 2 ** 32) * 2 - 1) * amp));
    }
    await expectCMatchesTs('random full-scale signs', signal(HOP * 8, () => (r() & 1 ? 32767 : -32768)));
  });

  it('periodic signals (pulse, saw, vowel, clean and noisy)', async () => {
    for (const P of [60, 97, 240.5, 700]) {
      for (const [kind, amp] of Object.entries(KINDS)) {
        await expectCMatchesTs(`${kind} ${P}`, toInt16(harmonicSignal(HOP * 7, () => P, amp), 30000, kind === 'saw' ? 10 : null));
      }
    }
  });

  it('adversarial: full-scale square waves, impulses, silence', async () => {
    for (const half of [1, 2, 3, 30, 31, 240, 384, 1000]) {
      await expectCMatchesTs(`square half-period ${half}`, signal(HOP * 8, (i) => (Math.floor(i / half) & 1 ? -32768 : 32767)));
    }
    await expectCMatchesTs('dc -32768', signal(HOP * 6, () => -32768));
    await expectCMatchesTs('dc +32767', signal(HOP * 6, () => 32767));
    await expectCMatchesTs('silence', new Int16Array(HOP * 6));
    for (const v of [32767, -32768]) {
      for (const period of [60, 61, 480, 768, 5000]) {
        await expectCMatchesTs(`impulses ${v} every ${period}`, signal(HOP * 8, (i) => (i % period === 7 ? v : 0)));
      }
      await expectCMatchesTs(`single impulse ${v}`, signal(HOP * 8, (i) => (i === 1000 ? v : 0)));
    }
    await expectCMatchesTs('alternating impulses', signal(HOP * 8, (i) => (i % 97 === 0 ? (i % 194 === 0 ? 32767 : -32768) : 0)));
  });

  it('a long run of 240 hops through every kind of segment', async () => {
    const hops = 240;
    const r = prng(99);
    const x = new Int16Array(hops * HOP);
    let phase = 0;
    for (let i = 0; i < x.length; i++) {
      const seg = Math.floor(i / (HOP * 9)) % 8;
      let v = 0;
      if (seg === 0) v = ((r() / 2 ** 32) * 2 - 1) * 32768;
      else if (seg === 1) v = Math.floor(i / 77) & 1 ? -32768 : 32767;
      else if (seg === 2) v = i % 311 === 0 ? (i & 1 ? 32767 : -32768) : 0;
      else if (seg === 3) v = 0;
      else if (seg === 4) {
        // a glide with harmonics, clipping
        phase += 1 / (120 + 80 * Math.sin(i / 9000));
        v = 40000 * (Math.cos(2 * Math.PI * phase) + 0.5 * Math.cos(4 * Math.PI * phase));
      } else if (seg === 5) v = ((r() / 2 ** 32) * 2 - 1) * 40;
      else if (seg === 6) v = 20000 * Math.sin((2 * Math.PI * i) / 300) + ((r() / 2 ** 32) * 2 - 1) * 3000;
      else v = i % 768 < 384 ? 32767 : -32768;
      x[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
    }
    await expectCMatchesTs('long run', x);
  });
});

// ------------------------------------------------------------------------------------------------
// The DSP-extension path (SMLALD/SMLALDX/PKHBT/SMLAD/SSAT) on the Cortex-M cores in QEMU

const hasArmTools = ['arm-none-eabi-gcc', 'qemu-system-arm'].every((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0);

/** Word-wise FNV-1a of the state, the digest the firmware driver prints after every hop. */
function stateDigest(state: Int32Array): number {
  let h = 2166136261;
  for (const w of state) h = Math.imul((h ^ w) >>> 0, 16777619) >>> 0;
  return h;
}

describe('pitch: C kernel on the Cortex-M cores (QEMU), DSP path', () => {
  it.skipIf(!hasArmTools)('matches the reference (outputs and a state digest after every hop) on m4, m7, m33, m55', async () => {
    // a stream of short segments: periodic with noise, full-scale square, impulses, silence, noise
    const r = prng(5);
    const vowel = toInt16(harmonicSignal(HOP * 5, () => 173, KINDS.vowel), 20000, 10);
    const low = toInt16(harmonicSignal(HOP * 3, () => 700, KINDS.saw), 30000, null);
    const x = new Int16Array(HOP * 18);
    for (let i = 0; i < x.length; i++) {
      const hop = Math.floor(i / HOP);
      if (hop < 5) x[i] = vowel[i];
      else if (hop < 7) x[i] = Math.floor(i / 37) & 1 ? -32768 : 32767;
      else if (hop < 9) x[i] = i % 211 === 0 ? (i & 1 ? 32767 : -32768) : 0;
      else if (hop < 11) x[i] = 0;
      else if (hop < 13) x[i] = (r() & 0xffff) - 32768;
      else if (hop < 16) x[i] = low[i - 13 * HOP];
      else x[i] = vowel[i - 16 * HOP];
    }
    const state = createPitchState();
    const expected: string[] = [];
    for (let h = 0; h < 18; h++) {
      const res = pitchAnalyzeHop(x.subarray(h * HOP, h * HOP + HOP), state, tables);
      expected.push(`${res.periodSamples} ${res.correlationQ15} ${stateDigest(state)}`);
    }
    const source = `#include <stdint.h>
#include <string.h>
#include <stdio.h>
#define ARRAYC_NOINLINE __attribute__((noinline))
#include "${KERNEL}"
${pitchTablesC(tables, '')}${cArray('signal', 'int16_t', x)}
static int32_t state[ARRAYC_NS_PITCH_STATE_WORDS];
int main(void)
{
    for (int h = 0; h < ${x.length / HOP}; h++) {
        int32_t result[2];
        arrayc_ns_pitch_analyze_hop(signal + ARRAYC_NS_PITCH_HOP * h, state, lowpassPairsQ15, rsqrtQ15, stepCostQ15,
                                    lagWeightQ15, halfLagQ15, result);
        uint32_t d = 2166136261u;
        for (int i = 0; i < ARRAYC_NS_PITCH_STATE_WORDS; i++) d = (d ^ (uint32_t)state[i]) * 16777619u;
        printf("%ld %ld %lu\\n", (long)result[0], (long)result[1], (unsigned long)d);
    }
    return 0;
}
`;
    const dir = mkdtempSync(join(tmpdir(), 'arrayc-pitch-m-'));
    const src = join(dir, 'driver.c');
    writeFileSync(src, source);
    for (const board of boardTargets()) {
      const elf = join(dir, `${board.name}.elf`);
      // the board's flags; its linker script path is relative to the template folder
      await execa('arm-none-eabi-gcc', ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', ...board.cflags, src, ...board.startup, ...board.ldflags, '-o', elf], { cwd: TEMPLATE_DIR });
      const run = await execa('qemu-system-arm', [...board.qemuArgs, elf], { cwd: dir, timeout: 60_000, stdin: 'ignore' });
      expect(run.stdout.trim().split('\n'), board.name).toEqual(expected);
    }
  });
});
