// The TypeScript reference executor (fast split-double kernels, blocked) against the naive BigInt
// spec (test/spec/bigintSpec.ts), sample for sample, on random and adversarial programs and inputs.
// Seeded: set ARRAYC_SEED=<n> to vary or reproduce; every failure message names the instance seed.
import { describe, expect, it } from 'vitest';
import type { Block, FixedProgram, SignalRef } from '../src/fixed/program.ts';
import { runProgram } from '../src/fixed/reference.ts';
import { ProgramError, validateProgram } from '../src/fixed/validate.ts';
import {
  ADVERSARIAL_SEGMENTS,
  INT32_MAX,
  INT32_MIN,
  Int64OverflowError,
  Rng,
  SUM_ABS_LIMIT,
  budgetedInt32s,
  firstDifference,
  randomAddSat,
  randomBiquad,
  randomDelay,
  randomFirQ15,
  randomFirQ31,
  randomGain,
  randomInputs,
  randomMix,
  randomProgram,
  runSpec,
} from './spec/bigintSpec.ts';

const BASE_SEED = Number(process.env.ARRAYC_SEED ?? 0x5eed2024);
console.log(`reference-spec: base seed ${BASE_SEED} (ARRAYC_SEED=${BASE_SEED} reproduces this run)`);

/** Block sizes that exercise the 4-output unrolled loops' tails (1, 7), typical sizes and odd ones. */
const SIZES = [1, 7, 48, 64];
function blockSizeFor(rng: Rng): number {
  return rng.chance(0.75) ? rng.pick(SIZES) : rng.int(1, 300);
}

function describeBlock(b: Block): string {
  const j = JSON.stringify(b);
  return j.length > 600 ? `${j.slice(0, 600)}...` : j;
}

/** Runs both executors and fails with everything needed to reproduce on the first difference. */
function expectSame(p: FixedProgram, inputs: Int32Array[], context: string): void {
  validateProgram(p);
  const ref = runProgram(p, inputs, { trace: true });
  const spec = runSpec(p, inputs);
  const d = firstDifference(spec.outputs, ref.outputs);
  if (d) {
    // Name the earliest block whose output differs.
    let where = '';
    outer: for (let k = 0; k < p.blocks.length; k++) {
      const bd = firstDifference(spec.trace[k], ref.trace![k]);
      if (bd) {
        where = ` first wrong block [${k}] ${describeBlock(p.blocks[k])} channel ${bd.channel} frame ${bd.frame}: spec ${bd.expected}, reference ${bd.actual}`;
        break outer;
      }
    }
    expect.fail(
      `${context}: output ${p.outputs[d.channel].name} frame ${d.frame}: spec ${d.expected}, reference ${d.actual} ` +
        `(blockSize ${p.blockSize}, ${inputs[0].length} frames).${where}`,
    );
  }
}

/** One block fed by program inputs, every output channel routed to a program output. */
function singleBlock(name: string, blockSize: number, nInputs: number, b: Block, nOut = 1): FixedProgram {
  return {
    name,
    sampleRate: 48000,
    blockSize,
    inputs: Array.from({ length: nInputs }, (_, k) => `in${k}`),
    blocks: [b],
    outputs: Array.from({ length: nOut }, (_, ch) => ({ name: `out${ch}`, source: { block: b.id, channel: ch }, scale: 1 })),
  };
}

function inputsFor(rng: Rng, channels: number, frames: number, i: number): Int32Array[] {
  // Every other instance sees only full-scale and degenerate material.
  return i % 2 === 0
    ? randomInputs(rng, channels, frames, rng.int(20, 1000), ADVERSARIAL_SEGMENTS)
    : randomInputs(rng, channels, frames, rng.int(20, 1000));
}

interface KindCase {
  kind: Block['kind'];
  instances: number;
  frames: [number, number];
  make(rng: Rng, blockSize: number): { block: Block; nInputs: number; nOut: number };
}

const IN0: SignalRef = { input: 0 };

const CASES: KindCase[] = [
  {
    kind: 'biquadDf1Q31',
    instances: 200,
    frames: [1500, 3000],
    make: (rng) => ({ block: randomBiquad(rng, 'bq', IN0, { maxSections: 5 }), nInputs: 1, nOut: 1 }),
  },
  {
    kind: 'firQ31',
    instances: 120,
    frames: [800, 2000],
    make: (rng) => ({ block: randomFirQ31(rng, 'fir', IN0, { maxTaps: 300 }), nInputs: 1, nOut: 1 }),
  },
  {
    kind: 'firQ15',
    instances: 120,
    frames: [800, 2000],
    make: (rng) => ({ block: randomFirQ15(rng, 'fir15', IN0, { maxTaps: 300 }), nInputs: 1, nOut: 1 }),
  },
  {
    kind: 'delay',
    instances: 120,
    frames: [500, 4000],
    make: (rng, bs) => ({ block: randomDelay(rng, 'dl', IN0, bs, 5000), nInputs: 1, nOut: 1 }),
  },
  {
    kind: 'gainQ31',
    instances: 200,
    frames: [500, 2000],
    make: (rng) => ({ block: randomGain(rng, 'g', IN0), nInputs: 1, nOut: 1 }),
  },
  {
    kind: 'mixQ31',
    instances: 150,
    frames: [500, 2000],
    make: (rng) => {
      const nInputs = rng.chance(0.15) ? 64 : rng.int(1, 8);
      const nOut = rng.int(1, 6);
      // Some inputs read twice, so one signal can meet two different gains.
      const ins = Array.from({ length: nInputs }, (_, k): SignalRef => ({ input: rng.chance(0.85) ? k : rng.int(0, nInputs - 1) }));
      return { block: randomMix(rng, 'mx', ins, nOut), nInputs, nOut };
    },
  },
  {
    kind: 'addSatQ31',
    instances: 120,
    frames: [500, 2000],
    make: (rng) => {
      const nInputs = rng.chance(0.1) ? 64 : rng.int(1, 6);
      const ins = Array.from({ length: nInputs }, (_, k): SignalRef => ({ input: rng.chance(0.85) ? k : rng.int(0, nInputs - 1) }));
      return { block: randomAddSat(rng, 'add', ins), nInputs, nOut: 1 };
    },
  },
];

describe('BigInt spec self-checks', () => {
  const p1 = (b: Block): FixedProgram => singleBlock('selfcheck', 4, 1, b);
  it('rounds half up, floors negative values, saturates', () => {
    const x = Int32Array.from([3, -3, 1, -1, INT32_MIN, INT32_MAX, 0, 5]);
    // gain 0.5 in Q31: 1.5 -> 2, -1.5 -> -1, 0.5 -> 1, -0.5 -> 0.
    expect(Array.from(runSpec(p1({ kind: 'gainQ31', id: 'g', inputs: [IN0], gain: 2 ** 30, fracBits: 31 }), [x]).outputs[0])).toEqual([
      2, -1, 1, 0, -(2 ** 30), 2 ** 30, 0, 3,
    ]);
    // gain -1 in Q31 (INT32_MIN): -INT32_MIN saturates.
    expect(Array.from(runSpec(p1({ kind: 'gainQ31', id: 'g', inputs: [IN0], gain: INT32_MIN, fracBits: 31 }), [x]).outputs[0])).toEqual([
      -3, 3, -1, 1, INT32_MAX, -INT32_MAX, 0, -5,
    ]);
    // Q15 FIR, one tap 1.0 (32767 at Q15 is just below): x15 = sat16((x + 2^15) >> 16), then back x 2^16.
    const xq = Int32Array.from([32767, 32768, -32769, INT32_MAX, INT32_MIN, 65536 * 5 + 32767, 0, 1]);
    expect(Array.from(runSpec(p1({ kind: 'firQ15', id: 'f', inputs: [IN0], taps: [16384], coefFracBits: 14 }), [xq]).outputs[0])).toEqual([
      0, 65536, -65536, 32767 * 65536, INT32_MIN, 5 * 65536, 0, 0,
    ]);
    // Delay 2.
    expect(Array.from(runSpec(p1({ kind: 'delay', id: 'd', inputs: [IN0], delaySamples: 2 }), [x]).outputs[0])).toEqual([0, 0, 3, -3, 1, -1, INT32_MIN, INT32_MAX]);
  });

  it('biquad error feedback carries the rounding residual to the next sample', () => {
    // y[n] = round(x[n] / 4) with s = 16 and b0 = 2^14; residual fed back makes the running sum exact.
    const b: Block = { kind: 'biquadDf1Q31', id: 'bq', inputs: [IN0], coefs: [2 ** 14, 0, 0, 0, 0], coefFracBits: 16, errorFeedback: [true] };
    const x = Int32Array.from([1, 1, 1, 1, 1, 1, 1, 1]);
    const y = Array.from(runSpec(p1(b), [x]).outputs[0]);
    // (acc + e) / 2^16 = 0.25 -> 0 (e = 2^14), 0.5 -> 1 (e = -2^15), -0.25 -> 0 (e = -2^14), 0 -> 0 (e = 0), repeat:
    // the output's running sum tracks n/4.
    expect(y).toEqual([0, 1, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(runSpec(p1({ ...b, errorFeedback: [false] }), [x]).outputs[0])).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('throws when an accumulator leaves int64 (and the validator rejects such programs)', () => {
    const b: Block = { kind: 'biquadDf1Q31', id: 'bq', inputs: [IN0], coefs: [INT32_MIN, INT32_MIN, INT32_MIN, 0, 0], coefFracBits: 31, errorFeedback: [false] };
    const x = new Int32Array(8).fill(INT32_MIN);
    expect(() => runSpec(p1(b), [x])).toThrow(Int64OverflowError);
    expect(() => validateProgram(p1(b))).toThrow(ProgramError);
  });

  it('the validator limit is exactly sum |c| <= 2^32 - 2', () => {
    const at: Block = { kind: 'biquadDf1Q31', id: 'bq', inputs: [IN0], coefs: [INT32_MIN, INT32_MAX - 1, 0, 0, 0], coefFracBits: 31, errorFeedback: [true] };
    expect(() => validateProgram(p1(at))).not.toThrow();
    expect(() => validateProgram(p1({ ...at, coefs: [INT32_MIN, INT32_MAX, 0, 0, 0] }))).toThrow(ProgramError);
    const fir: Block = { kind: 'firQ31', id: 'f', inputs: [IN0], taps: [INT32_MIN, INT32_MAX - 1], coefFracBits: 31 };
    expect(() => validateProgram(p1(fir))).not.toThrow();
    expect(() => validateProgram(p1({ ...fir, taps: [INT32_MIN, INT32_MAX] }))).toThrow(ProgramError);
    expect(SUM_ABS_LIMIT).toBe(2 ** 32 - 2);
  });
});

describe('reference equals the BigInt spec, per block kind (random instances)', () => {
  CASES.forEach((c, kindIndex) => {
    it(`${c.kind}: ${c.instances} random instances`, () => {
      for (let i = 0; i < c.instances; i++) {
        const seed = (BASE_SEED + kindIndex * 100_003 + i * 7919) >>> 0;
        const rng = new Rng(seed);
        const bs = blockSizeFor(rng);
        const { block, nInputs, nOut } = c.make(rng, bs);
        const p = singleBlock(`${c.kind}_${i}`, bs, nInputs, block, nOut);
        const frames = rng.int(...c.frames);
        expectSame(p, inputsFor(rng, nInputs, frames, i), `${c.kind} instance ${i} (seed ${seed}): ${describeBlock(block)}`);
      }
    });
  });
});

describe('reference equals the BigInt spec, hand-picked extremes', () => {
  const seed = BASE_SEED ^ 0xa5a5;
  const square1 = (n: number, phase = 0) => Int32Array.from({ length: n }, (_, i) => ((i + phase) % 2 === 0 ? INT32_MAX : INT32_MIN));
  const minRun = (n: number) => new Int32Array(n).fill(INT32_MIN);
  const impulses = (n: number) => Int32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? ((i / 97) % 2 === 0 ? INT32_MAX : INT32_MIN) : 0));
  const mixed = (n: number) => {
    // Long INT32_MIN run, then a 1-sample square wave, silence, impulses.
    const x = new Int32Array(n);
    const q = Math.floor(n / 4);
    x.set(minRun(q), 0);
    x.set(square1(q), q);
    x.set(impulses(n - 3 * q), 3 * q);
    return x;
  };
  const signals = (n: number) => [square1(n), square1(n, 1), minRun(n), impulses(n), mixed(n), ...randomInputs(new Rng(seed), 1, n, 200, ADVERSARIAL_SEGMENTS)];

  it('biquad at the accumulator limit (sum |c| = 2^32 - 2), every coefFracBits, with and without error feedback', () => {
    const at = [
      [INT32_MIN, INT32_MAX - 1, 0, 0, 0],
      [INT32_MAX - 1, INT32_MIN, 0, 0, 0],
      [0, 0, 0, INT32_MIN, INT32_MAX - 1],
      [INT32_MIN, 0, 0, -(INT32_MAX - 1), 0],
      [-(2 ** 29), 2 ** 30, -(2 ** 29), INT32_MIN + 2, 0],
      [0, 0, 0, INT32_MIN, 0],
    ];
    for (let s = 16; s <= 31; s++) {
      for (const coefs of at) {
        for (const ef of [false, true]) {
          const b: Block = { kind: 'biquadDf1Q31', id: 'bq', inputs: [IN0], coefs: [...coefs, ...coefs], coefFracBits: s, errorFeedback: [ef, !ef] };
          for (const x of signals(300)) expectSame(singleBlock('bq_limit', 7, 1, b), [x], `biquad limit coefs ${coefs} s ${s} ef ${ef}`);
        }
      }
    }
  });

  it('firQ31 exactly 64, 65, 128 taps with maximal low halves (0xFFFF), INT32_MIN runs; one 16384-tap FIR', () => {
    for (const n of [1, 63, 64, 65, 128, 129, 200]) {
      // Low half 0xFFFF (the largest split-low part), sum of |taps| within the limit, either sign.
      const tap = Math.floor(Math.min(SUM_ABS_LIMIT / n, 2 ** 31) / 65536) * 65536 - 1;
      for (const t of [tap, 65534 - tap]) {
        expect(t & 0xffff).toBe(0xffff);
        const b: Block = { kind: 'firQ31', id: 'fir', inputs: [IN0], taps: new Array(n).fill(t), coefFracBits: 31 };
        for (const x of signals(400)) for (const bs of [1, 7, 64]) expectSame(singleBlock('fir_lo', bs, 1, b), [x], `firQ31 ${n} taps of ${t}, blockSize ${bs}`);
        // Odd low halves near 0xFFFF that differ per tap, on one-signed near-full-scale input: partial
        // sums of the low products reach 2^53 - 2^37 per 64-tap chunk with all bits significant.
        const rng = new Rng(seed + n);
        const varied: Block = { ...b, taps: b.taps.map((v) => v - 2 * rng.int(0, 2000)) };
        const near = randomInputs(rng, 1, 600, 150, ['near full scale, one sign'])[0];
        for (const bs of [1, 7, 64]) expectSame(singleBlock('fir_lo2', bs, 1, varied), [near], `firQ31 ${n} varied taps near ${t}, blockSize ${bs}`);
      }
      // One INT32_MIN tap, the rest filling the budget.
      const taps = budgetedInt32s(new Rng(seed + n), n).map((t, k) => (k === n >> 1 ? INT32_MIN : t));
      let sum = taps.reduce((a, t) => a + Math.abs(t), 0);
      for (let k = 0; sum > SUM_ABS_LIMIT; k++) if (k !== n >> 1) (sum -= Math.abs(taps[k])), (taps[k] = 0);
      for (const s of [16, 24, 31]) {
        const b: Block = { kind: 'firQ31', id: 'fir', inputs: [IN0], taps, coefFracBits: s };
        for (const x of signals(300)) expectSame(singleBlock('fir_min', 48, 1, b), [x], `firQ31 ${n} taps with INT32_MIN, s ${s}`);
      }
    }
    const long = randomFirQ31(new Rng(seed), 'fir', IN0, { nTaps: 16384 });
    const x = randomInputs(new Rng(seed + 1), 1, 300, 60);
    expectSame(singleBlock('fir_max', 64, 1, long), x, `firQ31 16384 taps (seed ${seed})`);
  });

  it('firQ15 with -32768 taps at every coefFracBits, saturating input conversion; one 16384-tap FIR', () => {
    for (let s = 1; s <= 15; s++) {
      for (const taps of [[-32768], [32767], new Array(70).fill(-32768), new Array(65).fill(32767), [-32768, 32767, -32768, 32767]]) {
        const b: Block = { kind: 'firQ15', id: 'f', inputs: [IN0], taps, coefFracBits: s };
        for (const x of signals(200)) expectSame(singleBlock('fir15', 7, 1, b), [x], `firQ15 s ${s} taps ${taps.length}x${taps[0]}`);
      }
    }
    const long: Block = { kind: 'firQ15', id: 'f', inputs: [IN0], taps: new Array(16384).fill(-32768), coefFracBits: 15 };
    expectSame(singleBlock('fir15_max', 4096, 1, long), [minRun(1000)], 'firQ15 16384 taps of -32768 on INT32_MIN');
  });

  it('gain INT32_MIN / INT32_MAX at every fracBits', () => {
    for (let s = 16; s <= 31; s++) {
      for (const gain of [INT32_MIN, INT32_MAX, -INT32_MAX, 1, -1, 0, 2 ** 30]) {
        const b: Block = { kind: 'gainQ31', id: 'g', inputs: [IN0], gain, fracBits: s };
        for (const x of signals(100)) expectSame(singleBlock('g', 1, 1, b), [x], `gain ${gain} s ${s}`);
      }
    }
  });

  it('mix with 64 inputs and low halves 0xFFFF on INT32_MIN; 256 outputs', () => {
    const n = 64;
    const g = Math.floor(SUM_ABS_LIMIT / n / 65536) * 65536 - 1;
    const ins = Array.from({ length: n }, (_, k): SignalRef => ({ input: k }));
    for (const s of [16, 31]) {
      const b: Block = { kind: 'mixQ31', id: 'mx', inputs: ins, gains: [...new Array(n).fill(g), ...new Array(n).fill(-g), ...new Array(n).fill(-1)], outputs: 3, fracBits: s };
      for (const x of signals(200)) expectSame(singleBlock('mx64', 7, n, b, 3), new Array(n).fill(x), `mix 64 inputs s ${s}`);
      const rng = new Rng(seed + s);
      const varied: Block = { ...b, gains: b.gains.map((v) => v - 2 * rng.int(0, 2000)) };
      const near = randomInputs(rng, n, 300, 100, ['near full scale, one sign']);
      expectSame(singleBlock('mx64v', 7, n, varied, 3), near, `mix 64 inputs, varied gains, s ${s}`);
    }
    const rng = new Rng(seed);
    const b = randomMix(rng, 'mx', [{ input: 0 }, { input: 1 }], 256);
    expectSame(singleBlock('mx256', 48, 2, b, 256), randomInputs(rng, 2, 300, 50), 'mix 2 x 256');
  });

  it('delay 0, blockSize +/- 1, longer than the whole signal', () => {
    for (const bs of [1, 7, 48, 64]) {
      for (const d of [0, 1, bs - 1, bs, bs + 1, 3 * bs + 5, 1000, 5000]) {
        if (d < 0) continue;
        const b: Block = { kind: 'delay', id: 'd', inputs: [IN0], delaySamples: d };
        expectSame(singleBlock('dl', bs, 1, b), [mixed(1200)], `delay ${d} blockSize ${bs}`);
      }
    }
  });

  it('addSat of 64 full-scale inputs', () => {
    const ins = Array.from({ length: 64 }, (_, k): SignalRef => ({ input: k }));
    const b: Block = { kind: 'addSatQ31', id: 'a', inputs: ins };
    const xs = Array.from({ length: 64 }, (_, k) => (k % 3 === 0 ? minRun(500) : k % 3 === 1 ? square1(500) : impulses(500)));
    expectSame(singleBlock('add64', 7, 64, b), xs, 'addSat 64');
  });
});

/** Inverse of an odd value modulo 2^bits (Newton iteration). */
function invMod2k(a: bigint, bits: number): bigint {
  const m = 1n << BigInt(bits);
  let inv = 1n;
  for (let i = 0; i < 6; i++) inv = (inv * (2n - a * inv)) % m;
  return ((inv % m) + m) % m;
}

/**
 * Chooses the low s bits of x0[n] (the rest near full scale, one sign) so that the exact accumulator
 * acc[n] = w0 * x0[n] + rest[n] satisfies (acc + 2^(s-1)) mod 2^s = 0 or 2^s - 1 (alternating): the
 * output then sits exactly on a rounding boundary and any error of one unit in the accumulator
 * changes it. rest(n, x0) gives the exactly known remainder of the sum.
 */
function tuneChannel(w0: number, s: number, frames: number, negative: boolean, rest: (n: number, x0: Int32Array) => bigint): Int32Array {
  const S = 1n << BigInt(s);
  const half = S >> 1n;
  const inv = invMod2k(BigInt(w0), s);
  expect((inv * BigInt(w0)) % S === 1n || (((inv * BigInt(w0)) % S) + S) % S === 1n).toBe(true);
  const base = negative ? BigInt(INT32_MIN) : BigInt(INT32_MAX) & ~(S - 1n);
  const x0 = new Int32Array(frames);
  for (let n = 0; n < frames; n++) {
    const target = n % 2 === 0 ? 0n : S - 1n;
    const want = (((target - half - rest(n, x0)) % S) + S) % S;
    x0[n] = Number(base | ((want * inv) % S));
  }
  return x0;
}

describe('reference exactness at the limits of its split arithmetic', () => {
  // Taps/gains -1, -3, ..., (high half -1, low half near 0xFFFF) on one-signed near-full-scale input:
  // the low-half partial sums approach 2^53 (the reference's exactness bound) while the true
  // accumulator stays small enough not to saturate, and every output is tuned onto a rounding
  // boundary, so a single lost bit anywhere changes the output.
  const seed = BASE_SEED ^ 0x3c3c;
  it('firQ31: 1..300 taps, outputs on rounding boundaries', () => {
    for (const n of [1, 4, 63, 64, 65, 127, 128, 129, 192, 300]) {
      for (const negative of [true, false]) {
        const rng = new Rng(seed + n);
        const taps = Array.from({ length: n }, () => -(2 * rng.int(0, 127) + 1));
        const s = rng.int(16, 20);
        const h = taps.map(BigInt);
        const x = tuneChannel(taps[0], s, 700, negative, (i, x0) => {
          let r = 0n;
          for (let k = 1; k < n && k <= i; k++) r += h[k] * BigInt(x0[i - k]);
          return r;
        });
        const b: Block = { kind: 'firQ31', id: 'fir', inputs: [IN0], taps, coefFracBits: s };
        for (const bs of [1, 7, 64]) expectSame(singleBlock('fir_exact', bs, 1, b), [x], `firQ31 exactness, ${n} taps, s ${s}, blockSize ${bs}, negative ${negative}`);
      }
    }
  });

  it('mixQ31: 64 inputs, output 0 on rounding boundaries', () => {
    for (const negative of [true, false]) {
      const rng = new Rng(seed + (negative ? 1 : 2));
      const nIn = 64;
      const s = rng.int(16, 20);
      const gains = Array.from({ length: 2 * nIn }, () => -(2 * rng.int(0, 127) + 1));
      const others = randomInputs(rng, nIn - 1, 700, 700, ['near full scale, one sign']).map((x) =>
        x.map((v) => (negative ? (v < 0 ? v : INT32_MIN + (INT32_MAX - v)) : v >= 0 ? v : INT32_MAX - (v - INT32_MIN))),
      );
      const g = gains.map(BigInt);
      const x0 = tuneChannel(gains[0], s, 700, negative, (i) => {
        let r = 0n;
        for (let k = 1; k < nIn; k++) r += g[k] * BigInt(others[k - 1][i]);
        return r;
      });
      const ins = Array.from({ length: nIn }, (_, k): SignalRef => ({ input: k }));
      const b: Block = { kind: 'mixQ31', id: 'mx', inputs: ins, gains, outputs: 2, fracBits: s };
      for (const bs of [1, 7, 64]) expectSame(singleBlock('mix_exact', bs, nIn, b, 2), [x0, ...others], `mixQ31 exactness, s ${s}, negative ${negative}`);
    }
  });
});

describe('reference equals the BigInt spec on random composite graphs', () => {
  it('120 random DAGs of all kinds, 1-3 inputs, 1-4 outputs', () => {
    for (let i = 0; i < 120; i++) {
      const seed = (BASE_SEED + 0x10000 + i * 104729) >>> 0;
      const rng = new Rng(seed);
      const p = randomProgram(rng, `dag_${i}`, { maxBlocks: 12 });
      const x = i % 3 === 0 ? randomInputs(rng, p.inputs.length, 2000, 400, ADVERSARIAL_SEGMENTS) : randomInputs(rng, p.inputs.length, 2000, 600);
      expectSame(p, x, `composite ${i} (seed ${seed}, ${p.blocks.length} blocks: ${p.blocks.map((b) => b.kind).join(' ')})`);
    }
  });
});
