// The fixed-point upmix block (src/fixed/blocks/upmixQ31.ts):
// (1) the TypeScript reference against a naive BigInt implementation of the same integer semantics
//     written here from the block's header (call by call, sample by sample, every intermediate a
//     BigInt checked against the int64 range, including the 32-bit-half forms the C kernel uses),
//     on random and adversarial material, block sizes 1, 7, 48, 64 and several parameter sets;
// (2) the generated C bit-exact on host and the four QEMU cores;
// (3) the fixed reference against the float upmix (src/design/upmix.ts) and the float's bars.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSources } from '../src/codegen/generate.ts';
import { writeFolderAtomic } from '../src/codegen/writeFolder.ts';
import { type UpmixParams, UpmixFloat, defaultUpmixParams } from '../src/design/upmix.ts';
import { upmixBlockFromParams, upmixGainQ27, upmixReciprocal } from '../src/fixed/blocks/upmixQ31.ts';
import type { FixedProgram, SignalRef, UpmixQ31Block } from '../src/fixed/program.ts';
import { runProgram } from '../src/fixed/reference.ts';
import { blockKind } from '../src/fixed/registry.ts';
import { ProgramError, validateProgram } from '../src/fixed/validate.ts';
import type { Target } from '../src/toolchain/targets.ts';
import { verifyTargets } from '../src/toolchain/verify.ts';
import { DEFAULT_VECTOR_FRAMES, prng, testVectors } from '../src/toolchain/vectors.ts';
import { INT32_MAX, INT32_MIN, Rng, firstDifference, randomInputs } from './spec/bigintSpec.ts';

const ALL_TARGETS: Target[] = ['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55'];
const SEED = Number(process.env.ARRAYC_SEED ?? 0x0c3a7e11);
const LR: [SignalRef, SignalRef] = [{ input: 0 }, { input: 1 }];
const log = (msg: string) => console.log(`upmix-fixed: ${msg}`);

// ---- the naive BigInt implementation ---------------------------------------------------------

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
const I32_MIN = -(1n << 31n);
const I32_MAX = (1n << 31n) - 1n;

function i64(v: bigint, where: string): bigint {
  if (v < I64_MIN || v > I64_MAX) throw new Error(`${where}: int64 overflow (${v})`);
  return v;
}
function u64(v: bigint, where: string): bigint {
  if (v < 0n || v > U64_MAX) throw new Error(`${where}: uint64 overflow (${v})`);
  return v;
}
const sat32 = (v: bigint) => (v > I32_MAX ? I32_MAX : v < I32_MIN ? I32_MIN : v);
/** floor((v + 2^(s-1)) / 2^s), the sum checked as an int64; s = 0: v. */
function roundShift(v: bigint, s: number, where: string): bigint {
  if (s === 0) return v;
  return i64(v + (1n << BigInt(s - 1)), where) >> BigInt(s);
}

/** round(x c / 2^31), and the C kernel's form from 32-bit halves checked for range and equality. */
function mulQ31(x: bigint, c: bigint, where: string): bigint {
  const exact = (x * c + (1n << 30n)) >> 31n;
  const xh = x >> 32n;
  const xl = x - xh * (1n << 32n);
  const hiPart = i64(2n * i64(xh * c, where), where);
  const loPart = u64(u64(xl * c, where) + (1n << 30n), where) >> 31n;
  if (hiPart + loPart !== exact) throw new Error(`${where}: 32-bit-half form differs`);
  return i64(hiPart + loPart, where);
}

class NaiveUpmix {
  private eMM = 0n;
  private eMS = 0n;
  private eSS = 0n;
  private g = 0n;
  private readonly h: number;
  private readonly ramp: bigint;
  readonly gains: bigint[] = [];
  constructor(private readonly b: UpmixQ31Block, blockSize: number) {
    let h = 0;
    while (1 << h < blockSize) h++;
    this.h = h;
    const B = BigInt(blockSize);
    this.ramp = ((1n << 31n) + B) / (2n * B); // floor(2^30 / B + 1/2)
  }

  /** One call of n = L.length frames: [L', R', C]. */
  call(L: bigint[], R: bigint[], where: string): [bigint[], bigint[], bigint[]] {
    const b = this.b;
    const n = L.length;
    const M: bigint[] = [];
    const S: bigint[] = [];
    let pMM = 0n, pMS = 0n, pSS = 0n;
    for (let i = 0; i < n; i++) {
      const m = (L[i] + R[i] + 1n) >> 1n;
      if (m !== sat32(m)) throw new Error(`${where}: M out of int32`);
      const s = sat32((L[i] - R[i] + 1n) >> 1n);
      M.push(m);
      S.push(s);
      pMM = i64(pMM + roundShift(m * m, this.h, where), `${where} P_MM`);
      pMS = i64(pMS + roundShift(m * s, this.h, where), `${where} P_MS`);
      pSS = i64(pSS + roundShift(s * s, this.h, where), `${where} P_SS`);
    }
    const beta = BigInt(b.smoothingQ31);
    this.eMM = i64(this.eMM + mulQ31(i64(pMM - this.eMM, where), beta, `${where} E_MM`), where);
    this.eMS = i64(this.eMS + mulQ31(i64(pMS - this.eMS, where), beta, `${where} E_MS`), where);
    this.eSS = i64(this.eSS + mulQ31(i64(pSS - this.eSS, where), beta, `${where} E_SS`), where);
    // The estimator.
    const D = i64(i64(this.eSS + mulQ31(this.eMM, BigInt(b.relativeFloorQ31), `${where} lambda`), where) + BigInt(b.absoluteFloor), `${where} D`);
    if (D < 1n) throw new Error(`${where}: D = ${D}`);
    let bl = 0;
    while (1n << BigInt(bl) <= D) bl++;
    const k = bl - 31;
    const d = k >= 0 ? D >> BigInt(k) : D << BigInt(-k);
    if (d < 1n << 30n || d >= 1n << 31n) throw new Error(`${where}: mantissa ${d}`);
    const c1 = ((48n << 31n) + 17n) / 34n; // round(48/17 2^30)
    const c2 = ((32n << 31n) + 17n) / 34n; // round(32/17 2^30)
    let y = i64(c1 - roundShift(i64(c2 * d, where), 31, where), `${where} seed`);
    for (let it = 0; it < 3; it++) {
      const t = i64((1n << 62n) - i64(d * y, where), `${where} newton`);
      y = roundShift(i64(y * roundShift(t, 31, where), where), 30, `${where} newton`);
    }
    const sh = k + 4;
    const N = sat32(sh >= 0 ? roundShift(this.eMS, sh, `${where} N`) : this.eMS * (1n << BigInt(-sh)));
    const gMax = BigInt(b.maxGainQ27);
    let g1 = roundShift(i64(N * y, where), 30, `${where} g`);
    g1 = g1 > gMax ? gMax : g1 < -gMax ? -gMax : g1;
    if (g1 !== sat32(g1)) throw new Error(`${where}: g out of int32`);
    this.gains.push(g1);
    // The outputs.
    const g0 = this.g;
    const outL: bigint[] = [], outR: bigint[] = [], outC: bigint[] = [];
    for (let i = 0; i < n; i++) {
      let gi = g1;
      if (b.interpolation === 'linear' && i < n - 1) {
        const f = i64(BigInt(i + 1) * this.ramp, where);
        gi = g0 + roundShift(i64((g1 - g0) * f, `${where} ramp`), 30, `${where} ramp`);
      }
      const acc = i64(i64(M[i] * (1n << 27n), where) - i64(gi * S[i], where), `${where} C`);
      const c = sat32(roundShift(acc, 27, `${where} C`));
      outC.push(c);
      outL.push(sat32(L[i] - c));
      outR.push(sat32(R[i] - c));
    }
    this.g = g1;
    return [outL, outR, outC];
  }
}

/** Runs the naive upmix over whole signals in calls of the given sizes (cycled). */
function naiveRun(b: UpmixQ31Block, blockSize: number, L: Int32Array, R: Int32Array, calls: number[] = [blockSize]) {
  const u = new NaiveUpmix(b, blockSize);
  const out = [new Int32Array(L.length), new Int32Array(L.length), new Int32Array(L.length)];
  for (let at = 0, j = 0; at < L.length; j++) {
    const n = Math.min(calls[j % calls.length], L.length - at);
    const y = u.call(Array.from(L.subarray(at, at + n), BigInt), Array.from(R.subarray(at, at + n), BigInt), `call ${j} (frame ${at})`);
    y.forEach((ch, o) => ch.forEach((v, i) => (out[o][at + i] = Number(v))));
    at += n;
  }
  return { outputs: out, gains: u.gains.map(Number) };
}

/** Runs the reference kernel directly in calls of the given sizes (each <= blockSize). */
function referenceRun(b: UpmixQ31Block, blockSize: number, L: Int32Array, R: Int32Array, calls: number[] = [blockSize]): Int32Array[] {
  const k = blockKind(b).createReference(b, blockSize);
  const inB = [new Int32Array(blockSize), new Int32Array(blockSize)];
  const outB = [new Int32Array(blockSize), new Int32Array(blockSize), new Int32Array(blockSize)];
  const out = [new Int32Array(L.length), new Int32Array(L.length), new Int32Array(L.length)];
  for (let at = 0, j = 0; at < L.length; j++) {
    const n = Math.min(calls[j % calls.length], L.length - at);
    inB[0].set(L.subarray(at, at + n));
    inB[1].set(R.subarray(at, at + n));
    k.process(inB, outB, n);
    out.forEach((o, c) => o.set(outB[c].subarray(0, n), at));
    at += n;
  }
  return out;
}

// ---- material --------------------------------------------------------------------------------

const satNeg = (v: number) => (v === INT32_MIN ? INT32_MAX : -v);
const square = (n: number, half: number, phase = 0) => Int32Array.from({ length: n }, (_, i) => ((Math.floor(i / half) + phase) % 2 === 0 ? INT32_MAX : INT32_MIN));
const fill = (n: number, v: number) => new Int32Array(n).fill(v);
const noise32 = (rng: Rng, n: number, shift = 0) => Int32Array.from({ length: n }, () => rng.int32() >> shift);

/** Named adversarial (L, R) pairs, `n` frames each. */
function adversarialPairs(rng: Rng, n: number): [string, Int32Array, Int32Array][] {
  const sq = square(n, rng.int(1, 40));
  const x = noise32(rng, n);
  const half = noise32(rng, n, 1);
  const imp = (gap: number, off: number) => {
    const o = new Int32Array(n);
    for (let i = off, k = 0; i < n; i += gap, k++) o[i] = k % 2 === 0 ? INT32_MAX : INT32_MIN;
    return o;
  };
  const ramp = rng.int(2, 14);
  const tiny = Int32Array.from({ length: n }, (_, i) => ((rng.int32() >> (31 - ramp)) * (i % 3 === 0 ? 1 : 0)));
  const jump = Math.floor(n / 2);
  return [
    ['full-scale square on L only', sq, new Int32Array(n)],
    ['full-scale square on R only', new Int32Array(n), sq],
    ['full-scale squares in phase', sq, sq.slice()],
    ['full-scale squares out of phase', sq, sq.map(satNeg)],
    ['full-scale squares, different periods', sq, square(n, rng.int(1, 40), 1)],
    ['+/- full-scale impulses', imp(rng.int(1, 200), 0), imp(rng.int(1, 200), rng.int(0, 50))],
    ['silence', new Int32Array(n), new Int32Array(n)],
    ['L = -R, full-scale noise', x, x.map(satNeg)],
    ['L = R, full-scale noise', x, x.slice()],
    ['INT32_MIN runs on both', fill(n, INT32_MIN), fill(n, INT32_MIN)],
    ['INT32_MIN on L, INT32_MAX on R', fill(n, INT32_MIN), fill(n, INT32_MAX)],
    ['INT32_MAX on L, INT32_MIN on R (S saturates)', fill(n, INT32_MAX), fill(n, INT32_MIN)],
    ['near mono with a small correlated side (|g| up to the clamp)', half.map((v) => v + (v >> 14)), half.map((v) => v - (v >> 14))],
    ['low level (a few LSB) against silence', tiny, new Int32Array(n)],
    ['hard left -> hard right jump, full-scale noise', x.map((v, i) => (i < jump ? v : 0)), x.map((v, i) => (i >= jump ? v : 0))],
    ['random and adversarial segments', ...(randomInputs(rng, 2, n, 400) as [Int32Array, Int32Array])],
  ];
}

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** All adversarial pairs one after another (the state carries over from one to the next). */
function adversarialSignal(rng: Rng, perPair: number): [Int32Array, Int32Array] {
  const pairs = adversarialPairs(rng, perPair);
  return [concat(pairs.map((p) => p[1])), concat(pairs.map((p) => p[2]))];
}

// ---- parameter sets --------------------------------------------------------------------------

function paramSets(rng: Rng, B: number): [string, UpmixQ31Block][] {
  const base = upmixBlockFromParams('up', LR, defaultUpmixParams(48000, B));
  const rand = (): UpmixQ31Block => ({
    ...base,
    smoothingQ31: rng.chance(0.3) ? rng.pick([1, INT32_MAX, 2 ** 30]) : rng.int(1, INT32_MAX),
    relativeFloorQ31: Math.max(1, Math.min(2 ** 30, rng.int(1, 2 ** 30) >> rng.int(0, 29))),
    absoluteFloor: Math.max(1, Math.floor(rng.float() * 2 ** rng.int(0, 53))),
    maxGainQ27: rng.chance(0.3) ? rng.pick([1, INT32_MAX, 2 ** 27]) : rng.int(1, INT32_MAX),
    interpolation: rng.pick(['linear', 'hold'] as const),
  });
  return [
    ['defaults (tau 50 ms, lambda 1e-3, eps -120 dB), linear', base],
    ['defaults, hold', { ...base, interpolation: 'hold' }],
    ['fastest smoothing, lambda 2^-31, eps 1, no clamp', { ...base, smoothingQ31: INT32_MAX, relativeFloorQ31: 1, absoluteFloor: 1, maxGainQ27: INT32_MAX }],
    ['slowest smoothing, lambda 0.5, eps 2^53 - 1, clamp 2^-27, hold', { ...base, smoothingQ31: 1, relativeFloorQ31: 2 ** 30, absoluteFloor: Number.MAX_SAFE_INTEGER, maxGainQ27: 1, interpolation: 'hold' }],
    ['random parameters', rand()],
    ['random parameters', rand()],
  ];
}

// ---- (1) reference against the naive BigInt implementation -----------------------------------

describe('upmixQ31 reference = naive BigInt implementation', () => {
  for (const B of [1, 7, 48, 64]) {
    it(`block size ${B}: adversarial and random material, every parameter set`, () => {
      const rng = new Rng(SEED + B);
      const perPair = B === 1 ? 300 : 700;
      for (const [name, b] of paramSets(rng, B)) {
        const [L, R] = adversarialSignal(rng, perPair);
        const want = naiveRun(b, B, L, R).outputs;
        const got = referenceRun(b, B, L, R);
        const d = firstDifference(want, got);
        expect(d, `B ${B}, ${name} (${JSON.stringify(b)}): first difference ${JSON.stringify(d)}`).toBeNull();
      }
    });
  }

  it('each adversarial pair on its own from reset (B = 48, defaults and extreme parameters)', () => {
    const rng = new Rng(SEED ^ 0x51);
    const sets = paramSets(rng, 48).slice(0, 4);
    for (const [pair, L, R] of adversarialPairs(rng, 2400)) {
      for (const [name, b] of sets) {
        const d = firstDifference(naiveRun(b, 48, L, R).outputs, referenceRun(b, 48, L, R));
        expect(d, `${pair}, ${name}: ${JSON.stringify(d)}`).toBeNull();
      }
    }
  });

  it('calls shorter than the block (random n <= B; one estimator update per call)', () => {
    const rng = new Rng(SEED ^ 0x52);
    for (const B of [7, 48, 64]) {
      for (const [name, b] of paramSets(rng, B)) {
        const calls = Array.from({ length: 37 }, () => (rng.chance(0.3) ? B : rng.int(1, B)));
        const [L, R] = adversarialSignal(rng, 300);
        const d = firstDifference(naiveRun(b, B, L, R, calls).outputs, referenceRun(b, B, L, R, calls));
        expect(d, `B ${B}, ${name}, calls ${calls.join(',')}: ${JSON.stringify(d)}`).toBeNull();
      }
    }
  });

  it('long silence (statistics decay to the floor) then full-scale noise, and back', () => {
    const rng = new Rng(SEED ^ 0x53);
    for (const B of [48, 64]) {
      const [name, b] = paramSets(rng, B)[0];
      const loud = noise32(rng, 3000);
      const L = concat([loud, new Int32Array(80000), noise32(rng, 3000), new Int32Array(3000), fill(3000, INT32_MIN)]);
      const R = concat([loud.map((v) => v >> 3), new Int32Array(80000), noise32(rng, 3000), new Int32Array(3000), fill(3000, INT32_MIN)]);
      const naive = naiveRun(b, B, L, R);
      const d = firstDifference(naive.outputs, referenceRun(b, B, L, R));
      expect(d, `B ${B}, ${name}: ${JSON.stringify(d)}`).toBeNull();
      // Through the pause the gain holds (all statistics decay alike) until the floor takes over: 0.
      const pause = naive.gains.slice(Math.ceil(3000 / B) + 5, Math.floor(83000 / B));
      expect(pause[0]).not.toBe(0);
      // (the statistics stop decaying where |E beta| < 1/2, a few LSB of Q62: g stays tiny, not 0)
      expect(Math.abs(pause[pause.length - 1])).toBeLessThan(2 ** 17);
      log(`pause: g ${pause[0]} -> ${pause[pause.length - 1]} (Q4.27)`);
    }
  });

  it('program level: runProgram (whole blocks, zero-padded last block) on the standard vectors', () => {
    const b = upmixBlockFromParams('up', LR, defaultUpmixParams(48000, 48));
    const p = upmixProgram('upmix_std', 48, b);
    const inputs = testVectors(2);
    const want = naiveRun(b, 48, inputs[0], inputs[1]).outputs;
    expect(firstDifference(want, runProgram(p, inputs).outputs)).toBeNull();
    // An odd length: the last block is zero-padded, then truncated. The gain of a block depends on
    // all of its frames (the block is buffered), so the padding does shape the last partial block
    // (identically in the C harness); the whole blocks before it are unaffected.
    const cut = inputs.map((x) => x.subarray(0, 1000));
    const padded = inputs.map((x) => concat([x.subarray(0, 1000), new Int32Array(8)]));
    const wantPadded = naiveRun(b, 48, padded[0], padded[1]).outputs.map((x) => x.subarray(0, 1000));
    const got = runProgram(p, cut).outputs;
    expect(firstDifference(wantPadded, got)).toBeNull();
    expect(firstDifference(want.map((x) => x.subarray(0, 960)), got.map((x) => x.subarray(0, 960)))).toBeNull();
  });
});

describe('upmixQ31 arithmetic', () => {
  it('reciprocal: y within 2 LSB of 2^61 / d over the mantissa range', () => {
    const rng = new Rng(SEED ^ 0x54);
    const ds: bigint[] = [1n << 30n, (1n << 30n) + 1n, (1n << 31n) - 1n, 3n << 29n];
    for (let i = 0; i < 20000; i++) ds.push((1n << 30n) + BigInt(rng.int(0, 2 ** 30 - 1)));
    let worst = 0;
    for (const d of ds) {
      const y = upmixReciprocal(d);
      const exact = Number((1n << 61n) * 1024n / d) / 1024;
      worst = Math.max(worst, Math.abs(Number(y) - exact));
    }
    log(`reciprocal: worst |y - 2^61/d| = ${worst.toFixed(3)} LSB (Q2.30) over ${ds.length} mantissas`);
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('gain: within 2^-26 of E_MS / D (Q4.27), clamped, over random statistics', () => {
    const rng = new Rng(SEED ^ 0x55);
    let worst = 0;
    for (let i = 0; i < 5000; i++) {
      const big = (bits: number) => BigInt(Math.floor(rng.float() * 2 ** 30)) << BigInt(Math.max(0, bits - 30));
      const eMM = big(rng.int(0, 62));
      const eSS = big(rng.int(0, 62));
      const lam = BigInt(rng.int(1, 2 ** 30));
      const eps = BigInt(rng.int(1, 2 ** 30));
      const eMS = (rng.chance(0.5) ? -1n : 1n) * big(rng.int(0, 61));
      const gMax = BigInt(rng.int(1, INT32_MAX));
      const D = eSS + ((eMM * lam + (1n << 30n)) >> 31n) + eps;
      const exact = Math.max(-Number(gMax), Math.min(Number(gMax), (Number(eMS) / Number(D)) * 2 ** 27));
      const g = upmixGainQ27(eMM, eMS, eSS, lam, eps, gMax);
      worst = Math.max(worst, Math.abs(g - exact) / Math.max(1, Math.abs(exact) * 2 ** -27));
    }
    log(`gain: worst error ${worst.toFixed(2)} LSB of Q4.27 (relative to max(1, |g|))`);
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('static checks name the field; upmixBlockFromParams quantizes and refuses what it cannot represent', () => {
    const base = upmixBlockFromParams('up', LR, defaultUpmixParams(48000, 48));
    expect(base).toMatchObject({ smoothingQ31: 42523025, relativeFloorQ31: 2147484, absoluteFloor: 3458765, maxGainQ27: 2122168614, interpolation: 'linear' });
    const bad: [Partial<UpmixQ31Block>, RegExp][] = [
      [{ smoothingQ31: 0 }, /smoothingQ31/],
      [{ smoothingQ31: 2 ** 31 }, /smoothingQ31/],
      [{ relativeFloorQ31: 2 ** 30 + 1 }, /relativeFloorQ31/],
      [{ absoluteFloor: 0 }, /absoluteFloor/],
      [{ absoluteFloor: 2 ** 53 }, /absoluteFloor/],
      [{ maxGainQ27: 0 }, /maxGainQ27/],
      [{ interpolation: 'cubic' as 'linear' }, /interpolation/],
    ];
    for (const [patch, re] of bad) {
      expect(() => validateProgram(upmixProgram('bad', 48, { ...base, ...patch }))).toThrow(ProgramError);
      expect(() => validateProgram(upmixProgram('bad', 48, { ...base, ...patch }))).toThrow(re);
    }
    expect(() => validateProgram({ ...upmixProgram('bad', 48, base), blocks: [{ ...base, inputs: [LR[0]] as unknown as [SignalRef, SignalRef] }] })).toThrow(/inputs/);
    const P = defaultUpmixParams(48000, 48);
    expect(() => upmixBlockFromParams('up', LR, { ...P, relativeFloor: 0.6 })).toThrow(/relativeFloor/);
    expect(() => upmixBlockFromParams('up', LR, { ...P, absoluteFloor: 0.5 })).toThrow(/absoluteFloor/);
    expect(upmixBlockFromParams('up', LR, { ...P, relativeFloor: 1e-4 }).maxGainQ27).toBe(INT32_MAX); // 50 > 16: binds at the Q4.27 limit
    expect(blockKind(base).macsPerFrame(base)).toBe(6);
    expect(blockKind(base).macsPerFrame({ ...base, interpolation: 'hold' })).toBe(5);
  });

  it(`reference speed: > 50x real time at 48 kHz for the block alone`, () => {
    const b = upmixBlockFromParams('up', LR, defaultUpmixParams(48000, 48));
    const k = blockKind(b).createReference(b, 48);
    const r = prng(5);
    const x = [0, 1].map(() => Int32Array.from({ length: 48000 }, () => (r() | 0) >> 2));
    const ins = [new Int32Array(48), new Int32Array(48)];
    const outs = [new Int32Array(48), new Int32Array(48), new Int32Array(48)];
    const run = (secs: number) => {
      for (let s = 0; s < secs; s++) {
        for (let i = 0; i < 48000; i += 48) {
          ins[0].set(x[0].subarray(i, i + 48));
          ins[1].set(x[1].subarray(i, i + 48));
          k.process(ins, outs, 48);
        }
      }
    };
    run(1);
    const t0 = performance.now();
    run(5);
    const speed = 5 / ((performance.now() - t0) / 1000);
    log(`reference speed: ${speed.toFixed(0)}x real time (48 kHz, B = 48, linear)`);
    expect(speed).toBeGreaterThan(50);
  });
});

// ---- (2) generated C on every target ---------------------------------------------------------

function upmixProgram(name: string, blockSize: number, b: UpmixQ31Block): FixedProgram {
  return {
    name,
    sampleRate: 48000,
    blockSize,
    inputs: ['L', 'R'],
    blocks: [b],
    outputs: ['L', 'R', 'C'].map((n, ch) => ({ name: n, source: { block: b.id, channel: ch }, scale: 1 })),
  };
}

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'arrayc-upmix-'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

async function verifyAll(p: FixedProgram, label: string, inputs?: Int32Array[]): Promise<void> {
  const dir = join(root, `${p.name}-${Math.random().toString(36).slice(2, 8)}`, 'src');
  writeFolderAtomic(dir, generateSources(p));
  const t0 = Date.now();
  const results = await verifyTargets(p, dir, ALL_TARGETS, inputs ? { inputs } : {});
  const frames = inputs ? inputs[0].length : DEFAULT_VECTOR_FRAMES;
  log(`${label}: ${frames} frames x 3 outputs, blockSize ${p.blockSize}, ${ALL_TARGETS.length} targets in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  expect(results.map((r) => r.target)).toEqual(ALL_TARGETS);
  for (const r of results) {
    expect(r.bitExact, `${label} on ${r.target}: ${r.mismatches} mismatches, first ${JSON.stringify(r.firstMismatch)}`).toBe(true);
    expect(r.frames).toBe(frames);
    expect(r.samples).toBe(frames * 3);
  }
}

describe('upmixQ31 generated C is bit-exact on every target', () => {
  it('defaults, B = 48, linear: the standard vectors (57600 frames)', async () => {
    const p = upmixProgram('upmix_c48', 48, upmixBlockFromParams('up', LR, defaultUpmixParams(48000, 48)));
    const src = generateSources(p).get('arrayc_upmix_c48.c')!;
    expect(src).toContain('arrayc_upmix_q31(');
    expect(src).toContain('static uint32_t ARRAYC_ALIGN b_up_stats[6];');
    await verifyAll(p, 'defaults B 48 linear, standard vectors');
  });

  it('defaults, B = 48, linear: adversarial vectors', async () => {
    const p = upmixProgram('upmix_c48a', 48, upmixBlockFromParams('up', LR, defaultUpmixParams(48000, 48)));
    const [L, R] = adversarialSignal(new Rng(SEED ^ 0x61), 1500);
    // and a long pause so that the statistics reach the floor (k < 0 in the normalisation)
    const inputs = [concat([L, new Int32Array(60000), L.subarray(0, 3000)]), concat([R, new Int32Array(60000), R.subarray(0, 3000)])];
    await verifyAll(p, 'defaults B 48 linear, adversarial', inputs);
  });

  it('B = 7, extreme parameters (fastest smoothing, lambda 2^-31, eps 1, no clamp), linear: adversarial + standard', async () => {
    const b: UpmixQ31Block = { ...upmixBlockFromParams('up', LR, defaultUpmixParams(48000, 7)), smoothingQ31: INT32_MAX, relativeFloorQ31: 1, absoluteFloor: 1, maxGainQ27: INT32_MAX };
    const p = upmixProgram('upmix_c7', 7, b);
    const [L, R] = adversarialSignal(new Rng(SEED ^ 0x62), 1000);
    const std = testVectors(2);
    const inputs = [concat([L, std[0].subarray(0, 20000)]), concat([R, std[1].subarray(0, 20000)])];
    await verifyAll(p, 'B 7 extreme linear', inputs);
  });

  it('B = 64, hold, slowest smoothing, lambda 0.5, eps 2^53 - 1, random clamp: adversarial', async () => {
    const b: UpmixQ31Block = { ...upmixBlockFromParams('up', LR, defaultUpmixParams(48000, 64)), smoothingQ31: 1, relativeFloorQ31: 2 ** 30, absoluteFloor: Number.MAX_SAFE_INTEGER, maxGainQ27: 123456789, interpolation: 'hold' };
    const p = upmixProgram('upmix_c64', 64, b);
    const rng = new Rng(SEED ^ 0x63);
    const [L, R] = adversarialSignal(rng, 1000);
    await verifyAll(p, 'B 64 hold extreme', [L, R]);
  });
});

// ---- (3) against the float upmix ------------------------------------------------------------

const FS = 48000;
const SETTLE = FS / 2;
const db = (x: number) => 10 * Math.log10(x);

function gaussian(seed: number, n: number, rms: number): Float64Array {
  const u = prng(seed);
  const uni = () => (u() + 0.5) / 4294967296;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const a = Math.sqrt(-2 * Math.log(uni()));
    const t = 2 * Math.PI * uni();
    x[i] = rms * a * Math.cos(t);
    if (i + 1 < n) x[i + 1] = rms * a * Math.sin(t);
  }
  return x;
}

const toQ31 = (x: Float64Array) => Int32Array.from(x, (v) => Math.max(INT32_MIN, Math.min(INT32_MAX, Math.round(v * 2 ** 31))));
const fromQ31 = (x: Int32Array) => Float64Array.from(x, (v) => v / 2 ** 31);
function energy(x: ArrayLike<number>, from = 0): number {
  let e = 0;
  for (let i = from; i < x.length; i++) e += x[i] * x[i];
  return e;
}
function corr(a: ArrayLike<number>, b: ArrayLike<number>, from = 0): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = from; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** Fixed (runProgram) and float (UpmixFloat on the same Q31 input) outputs, both full scale = 1. */
function bothUpmixes(lf: Float64Array, rf: Float64Array, params: UpmixParams) {
  const L = toQ31(lf), R = toQ31(rf);
  const p = upmixProgram('upmix_float', params.blockSize, upmixBlockFromParams('up', LR, params));
  const fixed = runProgram(p, [L, R]).outputs.map(fromQ31);
  const u = new UpmixFloat(params);
  const lq = fromQ31(L), rq = fromQ31(R);
  const n = lq.length;
  const fl = { l: new Float64Array(n), r: new Float64Array(n), c: new Float64Array(n) };
  for (let off = 0; off < n; off += params.blockSize) u.processInto(lq, rq, off, Math.min(params.blockSize, n - off), fl, off);
  return { lq, rq, fixed: { l: fixed[0], r: fixed[1], c: fixed[2] }, float: fl };
}

/** Largest error energy over the three outputs, relative to the input energy, after settling. */
function relErrorDb(o: ReturnType<typeof bothUpmixes>): number {
  const ein = energy(o.lq, SETTLE) + energy(o.rq, SETTLE);
  let worst = -Infinity;
  for (const k of ['l', 'r', 'c'] as const) {
    const e = o.fixed[k].map((v, i) => v - o.float[k][i]);
    worst = Math.max(worst, db(energy(e, SETTLE) / ein));
  }
  return worst;
}

describe('upmixQ31 against the float upmix (same bars)', () => {
  const P = defaultUpmixParams(FS, 48);

  it('noise mixture: outputs within -80 dB of the float, |corr(C, L-R)| <= 0.05', () => {
    const N = 4 * FS;
    const [a, b, c, d0, d1, d2] = [11, 12, 13, 14, 15, 16].map((s) => gaussian(s, N, 0.1));
    const th = ((0.3 + 1) * Math.PI) / 4;
    const [gl, gr] = [Math.cos(th), Math.sin(th)];
    const rho = 0.5;
    const l = a.map((v, i) => v + c[i] + gl * (Math.sqrt(rho) * d0[i] + Math.sqrt(1 - rho) * d1[i]));
    const r = b.map((v, i) => v + c[i] + gr * (Math.sqrt(rho) * d0[i] + Math.sqrt(1 - rho) * d2[i]));
    for (const interp of ['linear', 'hold'] as const) {
      const o = bothUpmixes(l, r, { ...P, gainInterpolation: interp });
      const err = relErrorDb(o);
      const side = o.lq.map((v, i) => v - o.rq[i]);
      const rc = corr(o.fixed.c, side, SETTLE);
      log(`mixture (${interp}): fixed vs float error ${err.toFixed(1)} dB re input, |corr(C, L-R)| fixed ${Math.abs(rc).toFixed(4)}, float ${Math.abs(corr(o.float.c, side, SETTLE)).toFixed(4)}`);
      expect(err).toBeLessThanOrEqual(-80);
      expect(Math.abs(rc)).toBeLessThanOrEqual(0.05);
    }
  });

  it('hard-panned noise and tone leak <= -40 dB into C (and into the opposite channel)', () => {
    const N = 3 * FS;
    const sources: [string, Float64Array][] = [
      ['noise', gaussian(1, N, 0.25)],
      ['1 kHz tone', Float64Array.from({ length: N }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / FS))],
    ];
    for (const [name, x] of sources) {
      for (const side of ['L', 'R'] as const) {
        const z = new Float64Array(N);
        const o = side === 'L' ? bothUpmixes(x, z, P) : bothUpmixes(z, x, P);
        const ein = energy(side === 'L' ? o.lq : o.rq, SETTLE);
        const leak = db(energy(o.fixed.c, SETTLE) / ein);
        const wrong = db(energy(side === 'L' ? o.fixed.r : o.fixed.l, SETTLE) / ein);
        const err = relErrorDb(o);
        log(`hard ${side}, ${name}: C/input ${leak.toFixed(1)} dB (float ${db(energy(o.float.c, SETTLE) / ein).toFixed(1)}), opposite ${wrong.toFixed(1)} dB, fixed vs float ${err.toFixed(1)} dB`);
        expect(leak).toBeLessThanOrEqual(-40);
        expect(wrong).toBeLessThanOrEqual(-40);
        expect(err).toBeLessThanOrEqual(-80);
      }
    }
  });

  it('L = R: side exactly 0 (<= -60 dB), C = L', () => {
    const x = gaussian(4, 2 * FS, 0.3);
    const o = bothUpmixes(x, x, P);
    const side = db((energy(o.fixed.l, SETTLE) + energy(o.fixed.r, SETTLE)) / energy(o.fixed.c, SETTLE));
    log(`L = R: side ${side === -Infinity ? '-inf (exactly 0)' : side.toFixed(1) + ' dB'}`);
    expect(side).toBeLessThanOrEqual(-60);
    expect(o.fixed.c).toEqual(o.lq);
  });
});
