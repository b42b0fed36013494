// The kernels generated per instance against the reference.
// FIR (src/codegen/armFir.ts): the
// unrolled DSP passes (M4/M7/M33) and Helium passes (M55), their loop forms for long filters, the
// portable kernel (host, and the outputs the Arm passes leave over), the history that moves back
// every few blocks. Tap counts around every boundary of the generated code: the remainders of the
// LDM groups (1..26 taps), the unroll limit (1024 taps) and the loop blocks after it, the design
// sizes 512 and 768. Block sizes: one output (all leftovers), 5 and 53 (odd: the Q15 history
// alternates word parity; partial Helium groups), 48 (whole groups). Taps at full range, with
// INT32_MIN / -32768, at gains that keep outputs in range and gains that saturate them; inputs
// from every segment of the standard vectors (noise, full-scale squares, impulses, silence, ...).
// Biquad cascades (src/codegen/armBiquad.ts): sections without error feedback, with it folded
// into na1 and with it masked (na1 - 2^s below INT32_MIN), first-order sections (b2 = na2 = 0:
// products left out), shifts 16 to 31, designed and random sections at the accumulator limit
// (saturating: the block falls back to the portable kernel, then backs off), block sizes from 1
// to 131 (unrolled and looped).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSources } from '../src/codegen/generate.ts';
import { writeFolderAtomic } from '../src/codegen/writeFolder.ts';
import type { Block, FixedProgram } from '../src/fixed/program.ts';
import type { Target } from '../src/toolchain/targets.ts';
import { SEGMENTS, prng, testVectors } from '../src/toolchain/vectors.ts';
import { verifyTarget, verifyTargets } from '../src/toolchain/verify.ts';

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);
const LONG = [512, 768, 1023, 1024, 1025, 1100, 1237];
const Q31_TAPS = [...range(1, 26), 47, 48, 49, 96, 97, 255, 256, 257, ...LONG];
const Q15_TAPS = [...range(1, 20), 31, 32, 33, 63, 64, 65, 255, 256, ...LONG];
const GAINS = [0.9, 3, 0.3];

/** Taps with sum |taps| about gain * 2^shift (within maxSum), one of them `extreme` if given. */
function randomTaps(r: () => number, n: number, shift: number, gain: number, maxSum: number, maxAbs: number, extreme?: { at: number; value: number }): number[] {
  const raw = Array.from({ length: n }, () => (r() / 2 ** 32) * 2 - 1);
  const budget = Math.min(gain * 2 ** shift, maxSum) - (extreme ? Math.abs(extreme.value) : 0);
  const sum = raw.reduce((a, v) => a + Math.abs(v), 0) || 1;
  const taps = raw.map((v) => Math.max(-maxAbs, Math.min(maxAbs, Math.trunc((v * budget) / sum))));
  if (extreme) taps[extreme.at] = extreme.value;
  return taps;
}

function firProgram(blockSize: number): FixedProgram {
  const r = prng(blockSize);
  const blocks: Block[] = [];
  Q31_TAPS.forEach((n, k) => {
    const shift = 16 + (k % 16);
    const extreme = k % 3 === 0 ? { at: k % 2 === 0 ? 0 : n - 1, value: -(2 ** 31) } : undefined;
    const taps = randomTaps(r, n, shift, GAINS[k % 3], 2 ** 32 - 2, 2 ** 31 - 1, extreme);
    blocks.push({ kind: 'firQ31', id: `q31_${n}`, inputs: [{ input: 0 }], taps, coefFracBits: shift } as Block);
  });
  Q15_TAPS.forEach((n, k) => {
    const shift = 1 + (k % 15);
    const extreme = k % 3 !== 1 ? { at: k % 2 === 0 ? 0 : n - 1, value: -32768 } : undefined;
    const taps = randomTaps(r, n, shift, GAINS[k % 3], Infinity, 32767, extreme);
    blocks.push({ kind: 'firQ15', id: `q15_${n}`, inputs: [{ input: 0 }], taps, coefFracBits: shift } as Block);
  });
  return {
    name: `kfir${blockSize}`, sampleRate: 48000, blockSize, inputs: ['x'], blocks,
    outputs: blocks.map((b) => ({ name: b.id, source: { block: b.id, channel: 0 }, scale: 1 })),
  };
}

/** The first `perSegment` frames of every segment of the standard vectors. */
function mixedVectors(perSegment: number): Int32Array[] {
  const all = testVectors(1)[0];
  const parts: Int32Array[] = [];
  let at = 0;
  for (const s of SEGMENTS) {
    parts.push(all.subarray(at, at + Math.min(perSegment, s.frames)));
    at += s.frames;
  }
  const x = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    x.set(p, o);
    o += p.length;
  }
  return [x];
}

const INPUTS = mixedVectors(600);

/** Section (b0 b1 b2 -a1 -a2) from float coefficients at `shift` fraction bits. */
const q = (v: number[], shift: number) => v.map((c) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(c * 2 ** shift))));
/** Resonant section: poles at radius r, angle w; zeros at -1 (low-pass) or 1 (high-pass), gain g. */
function resonant(r: number, w: number, g: number, highPass = false): number[] {
  const a1 = -2 * r * Math.cos(w), a2 = r * r;
  const z = highPass ? -1 : 1;
  return [g, 2 * z * g, g, -a1, -a2];
}
function randomSection(rand: () => number, sumAbs = 2 ** 32 - 2): number[] {
  const raw = Array.from({ length: 5 }, () => (rand() / 2 ** 32) * 2 - 1);
  const t = raw.reduce((a, v) => a + Math.abs(v), 0);
  return raw.map((v) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.trunc((v / t) * Math.min(sumAbs, 2 ** 32 - 2)))));
}

function biquadProgram(blockSize: number): FixedProgram {
  const rand = prng(1000 + blockSize);
  const bq = (id: string, shift: number, sections: number[][], ef: boolean[]): Block =>
    ({ kind: 'biquadDf1Q31', id, inputs: [{ input: 0 }], coefs: sections.flat(), coefFracBits: shift, errorFeedback: ef }) as Block;
  const blocks: Block[] = [
    // Low-frequency poles with error feedback (na1 - 2^s fits: folded), at Q2.30 and Q1.31.
    bq('ef_lf30', 30, [q(resonant(0.999, 0.002, 1e-6), 30), q(resonant(0.995, 0.01, 2.5e-5), 30)], [true, true]),
    bq('ef_lf31', 31, [q(resonant(0.99, 0.02, 1e-4), 31)], [true]),
    // Poles near Nyquist with error feedback: na1 - 2^s below INT32_MIN (masked residual).
    bq('ef_hf', 30, [q(resonant(0.98, 3.0, 0.01, true), 30), q(resonant(0.9, 2.9, 0.05, true), 30)], [true, true]),
    // Without error feedback, designed and first-order (b2 = na2 = 0).
    bq('plain', 29, [q(resonant(0.9, 0.3, 0.05), 29), q([0.4, -0.3, 0, 0.7, 0], 29), q(resonant(0.5, 1.5, 0.3), 29)], [false, false, false]),
    bq('first_ef', 30, [q([0.2, 0.1, 0, 0.65, 0], 30)], [true]),
    // Random sections at the accumulator limit: saturating often.
    bq('rand16', 16, [randomSection(rand), randomSection(rand)], [true, false]),
    bq('rand_mix', 31, [randomSection(rand), randomSection(rand, 2 ** 31), randomSection(rand), randomSection(rand, 2 ** 30)], [false, true, true, false]),
    // Eight sections, every mode.
    bq('eight', 30, [
      q(resonant(0.999, 0.003, 1e-6), 30), q(resonant(0.97, 2.8, 0.02, true), 30), q([0.3, 0.2, 0, 0.5, 0], 30), q(resonant(0.8, 1, 0.1), 30),
      q(resonant(0.99, 0.05, 1e-3), 30), q(resonant(0.95, 2.5, 0.02, true), 30), q(resonant(0.6, 0.7, 0.2), 30), q([0.5, 0, 0, -0.5, 0], 30),
    ], [true, true, false, false, true, true, false, true]),
  ];
  return {
    name: `kbq${blockSize}`, sampleRate: 48000, blockSize, inputs: ['x'], blocks,
    outputs: blocks.map((b) => ({ name: b.id, source: { block: b.id, channel: 0 }, scale: 1 })),
  };
}

describe('kernels generated per instance', () => {
  const cases: [number, Target[]][] = [
    [1, ['host', 'cortex-m4', 'cortex-m55']],
    [5, ['host', 'cortex-m4', 'cortex-m33', 'cortex-m55']],
    [48, ['host', 'cortex-m4', 'cortex-m33', 'cortex-m55']],
    [53, ['host', 'cortex-m7', 'cortex-m33', 'cortex-m55']],
  ];
  for (const [bs, targets] of cases) {
    it(`${Q31_TAPS.length} FIR Q31 and ${Q15_TAPS.length} FIR Q15 (1 to 1237 taps), block size ${bs}: bit-exact on ${targets.join(', ')}`, async () => {
      const p = firProgram(bs);
      const root = mkdtempSync(join(tmpdir(), 'arrayc-kernels-'));
      try {
        const dir = join(root, 'src');
        writeFolderAtomic(dir, generateSources(p));
        const res = await verifyTargets(p, dir, targets, { inputs: INPUTS });
        for (const r of res) expect(r, r.target).toMatchObject({ bitExact: true, mismatches: 0 });
        // Saturating and in-range outputs were both exercised.
        expect(res[0].fullScaleSamples).toBeGreaterThan(1000);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  for (const [bs, targets] of [
    [1, ['host', 'cortex-m4', 'cortex-m55']],
    [2, ['host', 'cortex-m4']],
    [5, ['host', 'cortex-m4', 'cortex-m33', 'cortex-m55']],
    [48, ['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55']],
    [53, ['host', 'cortex-m4', 'cortex-m55']],
    [130, ['host', 'cortex-m4', 'cortex-m55']],
    [131, ['host', 'cortex-m33']],
  ] as [number, Target[]][]) {
    it(`biquad cascades (every section mode, shifts 16 to 31), block size ${bs}: bit-exact on ${targets.join(', ')}`, async () => {
      const p = biquadProgram(bs);
      const root = mkdtempSync(join(tmpdir(), 'arrayc-kernels-'));
      try {
        const dir = join(root, 'src');
        writeFolderAtomic(dir, generateSources(p));
        const inputs = [mixedVectors(1500)[0]];
        const res = await verifyTargets(p, dir, targets, { inputs });
        for (const r of res) expect(r, r.target).toMatchObject({ bitExact: true, mismatches: 0 });
        expect(res[0].fullScaleSamples).toBeGreaterThan(1000);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  const PORTABLE = ['-DARRAYC_FIR_ASM=0', '-DARRAYC_BIQUAD_ASM=0', '-DARRAYC_COPY_ASM=0', '-DARRAYC_ADD_DSP=0'];
  it(`the portable kernels compiled for a Cortex-M core (${PORTABLE.join(' ')}), block size 5: bit-exact`, async () => {
    const fir = firProgram(5);
    const bq = biquadProgram(5);
    // Delays (word copies) and saturating adds (QADD chains on the DSP cores) of FIR outputs.
    const f = (k: number) => ({ block: fir.blocks[k].id, channel: 0 });
    const more: Block[] = [
      ...[0, 3, 64].map((d): Block => ({ kind: 'delay', id: `dl${d}`, inputs: [f(40)], delaySamples: d })),
      ...[2, 3].map((k): Block => ({ kind: 'addSatQ31', id: `add${k}`, inputs: [f(38), f(39), f(40)].slice(0, k) })),
    ];
    const outputs = more.map((b) => ({ name: b.id, source: { block: b.id, channel: 0 }, scale: 1 }));
    const p: FixedProgram = { ...fir, name: 'kport', blocks: [...fir.blocks, ...bq.blocks, ...more], outputs: [...fir.outputs, ...bq.outputs, ...outputs] };
    const root = mkdtempSync(join(tmpdir(), 'arrayc-kernels-'));
    try {
      const dir = join(root, 'src');
      writeFolderAtomic(dir, generateSources(p));
      const r = await verifyTarget(p, dir, 'cortex-m4', { inputs: INPUTS, extraCflags: PORTABLE });
      expect(r.samples).toBe(INPUTS[0].length * p.outputs.length);
      expect(r.mismatches, JSON.stringify(r.firstMismatch)).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
