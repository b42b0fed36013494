// Generated C against the TypeScript reference on every target (host gcc and the four QEMU cores):
// random programs (random DAGs of every block kind) on short mixed random/adversarial inputs, and
// each block kind alone on the standard 57600-frame vectors. Every result must be bit-exact.
// Seeded: ARRAYC_SEED=<n> varies/reproduces the random programs; failures name the program seed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSources } from '../src/codegen/generate.ts';
import { writeFolderAtomic } from '../src/codegen/writeFolder.ts';
import type { Block, FixedProgram, SignalRef } from '../src/fixed/program.ts';
import { runProgram } from '../src/fixed/reference.ts';
import { validateProgram } from '../src/fixed/validate.ts';
import type { Target } from '../src/toolchain/targets.ts';
import { verifyTargets } from '../src/toolchain/verify.ts';
import { DEFAULT_VECTOR_FRAMES, testVectors } from '../src/toolchain/vectors.ts';
import {
  INT32_MAX,
  INT32_MIN,
  Rng,
  budgetedInt32s,
  firstDifference,
  randomFirQ15,
  randomInputs,
  randomProgram,
  runSpec,
} from './spec/bigintSpec.ts';

const ALL_TARGETS: Target[] = ['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55'];
const BASE_SEED = Number(process.env.ARRAYC_SEED ?? 0x5eed2024);
const RANDOM_PROGRAMS = Number(process.env.ARRAYC_PROPERTY_PROGRAMS ?? 6);
console.log(`property: base seed ${BASE_SEED} (ARRAYC_SEED=${BASE_SEED} reproduces this run)`);

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'arrayc-property-'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function summary(p: FixedProgram): string {
  return p.blocks
    .map((b) => `${b.id}${'taps' in b ? `(${b.taps.length} taps)` : b.kind === 'delay' ? `(${b.delaySamples})` : b.kind === 'biquadDf1Q31' ? `(${b.coefs.length / 5} sections)` : ''}`)
    .join(' ');
}

/** Generates, writes and verifies the program on all five targets; every one must be bit-exact. */
async function verifyAll(p: FixedProgram, inputs: Int32Array[], label: string): Promise<void> {
  const dir = join(root, p.name, 'src');
  writeFolderAtomic(dir, generateSources(p));
  const t0 = Date.now();
  const results = await verifyTargets(p, dir, ALL_TARGETS, { inputs });
  console.log(`${label}: ${inputs[0].length} frames x ${p.outputs.length} outputs, blockSize ${p.blockSize}, ${ALL_TARGETS.length} targets in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  expect(results.map((r) => r.target)).toEqual(ALL_TARGETS);
  for (const r of results) {
    const why = r.firstMismatch ? JSON.stringify(r.firstMismatch) : '';
    expect(r.bitExact, `${label} on ${r.target}: ${r.mismatches} mismatches, first ${why}`).toBe(true);
    expect(r.mismatches).toBe(0);
    expect(r.frames).toBe(inputs[0].length);
    expect(r.samples).toBe(inputs[0].length * p.outputs.length);
  }
}

describe('random programs: generated C is bit-exact with the reference on every target', () => {
  for (let i = 0; i < RANDOM_PROGRAMS; i++) {
    const seed = (BASE_SEED + 0x20000 + i * 15485863) >>> 0;
    it(`random program ${i} (seed ${seed})`, async () => {
      const rng = new Rng(seed);
      const p = randomProgram(rng, `prop-${i}`, { minBlocks: 7, maxBlocks: 12, maxTaps: 200, maxDelay: 3000, inputs: [1, 3], outputs: [1, 4] });
      validateProgram(p);
      const frames = rng.int(2000, 4000);
      const inputs = randomInputs(rng, p.inputs.length, frames, 600);
      const label = `random program ${i} (seed ${seed}; ${p.inputs.length} in, ${p.outputs.length} out; ${summary(p)})`;
      // The reference itself against the independent BigInt spec, on the same material.
      const d = firstDifference(runSpec(p, inputs).outputs, runProgram(p, inputs).outputs);
      expect(d, `${label}: reference differs from the BigInt spec`).toBeNull();
      await verifyAll(p, inputs, label);
    });
  }
});

/** One block of a kind, every output channel routed out, plus program input 0 routed straight out. */
function alone(name: string, blockSize: number, nInputs: number, b: Block, nOut = 1): FixedProgram {
  return {
    name,
    sampleRate: 48000,
    blockSize,
    inputs: Array.from({ length: nInputs }, (_, k) => `in${k}`),
    blocks: [b],
    outputs: [
      ...Array.from({ length: nOut }, (_, ch) => ({ name: `${b.id}_${ch}`, source: { block: b.id, channel: ch } as SignalRef, scale: 1 })),
      { name: 'thru', source: { input: 0 }, scale: 1 },
    ],
  };
}

const IN0: SignalRef = { input: 0 };

/** Several blocks side by side, every output routed out. */
function sideBySide(name: string, blockSize: number, nInputs: number, blocks: Block[]): FixedProgram {
  return {
    name,
    sampleRate: 48000,
    blockSize,
    inputs: Array.from({ length: nInputs }, (_, k) => `in${k}`),
    blocks,
    outputs: blocks.map((b) => ({ name: b.id, source: { block: b.id, channel: 0 }, scale: 1 })),
  };
}
const delays = (ds: number[]): Block[] => ds.map((d) => ({ kind: 'delay', id: `dl${d}`, inputs: [IN0], delaySamples: d }));

describe('each block kind alone on the standard vectors (57600 frames), every target', () => {
  const rng = new Rng(BASE_SEED ^ 0x7777);
  const cases: { label: string; make: () => FixedProgram }[] = [
    {
      label: 'biquadDf1Q31: 4 sections (designed low-frequency poles with error feedback, random, at the accumulator limit)',
      make: () => {
        const b: Block = {
          kind: 'biquadDf1Q31',
          id: 'bq',
          inputs: [IN0],
          // b0 b1 b2 -a1 -a2 in Q2.30: a lowpass with poles at r = 0.999, theta = 0.01 (near z = 1,
          // DC gain ~0.8), a random section within budget, a section with sum |c| = 2^32 - 2 exactly,
          // and a random section up to the limit.
          coefs: [
            Math.round(2 ** 30 * 0.00002), Math.round(2 ** 30 * 0.00004), Math.round(2 ** 30 * 0.00002),
            Math.round(2 ** 30 * 2 * 0.999 * Math.cos(0.01)), Math.round(-(2 ** 30) * 0.999 * 0.999),
            ...budgetedInt32s(rng, 5, 2 ** 31),
            INT32_MIN, INT32_MAX - 1, 0, 0, 0,
            ...budgetedInt32s(rng, 5),
          ],
          coefFracBits: 30,
          errorFeedback: [true, false, true, true],
        };
        return alone('kind_biquad', 48, 1, b);
      },
    },
    {
      label: 'firQ31: 129 taps (crosses the 64-tap chunks), one INT32_MIN tap, odd block size 7',
      make: () => {
        const taps = budgetedInt32s(rng, 129, 2 ** 31 - 2);
        taps[64] = INT32_MIN;
        return alone('kind_fir31', 7, 1, { kind: 'firQ31', id: 'fir', inputs: [IN0], taps, coefFracBits: 31 });
      },
    },
    {
      label: 'firQ15: 65 taps with -32768 and 32767, Q1.15',
      make: () => {
        const b = randomFirQ15(rng, 'fir15', IN0, { nTaps: 65 });
        b.taps[0] = -32768;
        b.taps[64] = 32767;
        b.coefFracBits = 15;
        return alone('kind_fir15', 64, 1, b);
      },
    },
    {
      label: 'delay: 1000 samples (> blockSize 48)',
      make: () => alone('kind_delay', 48, 1, { kind: 'delay', id: 'dl', inputs: [IN0], delaySamples: 1000 }),
    },
    {
      // delaySamples 0 is valid (validator: [0, 2^20]) and the C emits a memcpy for it.
      label: 'delay: 0 samples (a plain copy), the only delay in the program',
      make: () => alone('kind_delay0', 16, 1, { kind: 'delay', id: 'dl0', inputs: [IN0], delaySamples: 0 }),
    },
    {
      // Runs of word copies up to the circular buffer's end: delays shorter than the block wrap
      // within it, longer ones every few blocks.
      label: 'delay: 0, 1, 6, 7, 8, 13 and 100 samples, odd block size 7',
      make: () => sideBySide('kind_delays7', 7, 1, delays([0, 1, 6, 7, 8, 13, 100])),
    },
    {
      label: 'delay: 1, 9, 47, 48, 49, 96 and 131 samples, block size 48',
      make: () => sideBySide('kind_delays48', 48, 1, delays([1, 9, 47, 48, 49, 96, 131])),
    },
    {
      // One input (a copy), two (one QADD), three and five (QADD chains, redone exactly when the
      // Q flag says a step saturated: the full-scale squares of the three inputs do).
      label: 'addSatQ31: 1, 2, 3 and 5 inputs',
      make: () => {
        const ins: SignalRef[] = [{ input: 0 }, { input: 1 }, { input: 2 }, { input: 1 }, { input: 0 }];
        const add = (id: string, k: number): Block => ({ kind: 'addSatQ31', id, inputs: ins.slice(0, k) });
        return sideBySide('kind_adds', 48, 3, [add('add1', 1), add('add2', 2), add('add3', 3), add('add5', 5)]);
      },
    },
    {
      label: 'gainQ31: INT32_MIN at fracBits 31 (-1.0, saturates on INT32_MIN), blockSize 1',
      make: () => alone('kind_gain', 1, 1, { kind: 'gainQ31', id: 'g', inputs: [IN0], gain: INT32_MIN, fracBits: 31 }),
    },
    {
      label: 'mixQ31: 3 inputs (one read twice) x 4 outputs, one row at the accumulator limit',
      make: () => {
        const ins: SignalRef[] = [{ input: 0 }, { input: 1 }, { input: 2 }, { input: 1 }];
        const gains = [INT32_MIN, INT32_MAX - 1, 0, 0, ...budgetedInt32s(rng, 4), ...budgetedInt32s(rng, 4, 2 ** 30), ...budgetedInt32s(rng, 4, 2 ** 20)];
        return alone('kind_mix', 32, 3, { kind: 'mixQ31', id: 'mx', inputs: ins, gains, outputs: 4, fracBits: 30 }, 4);
      },
    },
    {
      label: 'addSatQ31: 4 inputs (one read twice)',
      make: () => alone('kind_add', 17, 3, { kind: 'addSatQ31', id: 'add', inputs: [{ input: 0 }, { input: 1 }, { input: 2 }, { input: 0 }] }),
    },
  ];
  for (const c of cases) {
    it(c.label, async () => {
      const p = c.make();
      validateProgram(p);
      const inputs = testVectors(p.inputs.length);
      expect(inputs[0].length).toBe(DEFAULT_VECTOR_FRAMES);
      expect(DEFAULT_VECTOR_FRAMES).toBeGreaterThanOrEqual(48000);
      await verifyAll(p, inputs, c.label);
    });
  }
});
