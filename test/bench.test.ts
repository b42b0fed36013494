// arrayc bench: instruction counts from QEMU's per-instruction trace, cut per block.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSources } from '../src/codegen/generate.ts';
import { writeFolderAtomic } from '../src/codegen/writeFolder.ts';
import type { Block, FixedProgram } from '../src/fixed/program.ts';
import { PROJECT_ROOT } from '../src/pipeline.ts';
import { benchProgram } from '../src/toolchain/bench.ts';
import type { Target } from '../src/toolchain/targets.ts';
import { runCli } from './helpers.ts';

const taps = (n: number) => Array.from({ length: n }, (_, k) => ((k * 7919) % 2001) - 1000);
const program: FixedProgram = {
  name: 'benchcheck',
  sampleRate: 48000,
  blockSize: 48,
  inputs: ['x'],
  blocks: [
    { kind: 'firQ31', id: 'firA', inputs: [{ input: 0 }], taps: taps(64), coefFracBits: 31 },
    { kind: 'firQ31', id: 'firB', inputs: [{ input: 0 }], taps: taps(64), coefFracBits: 31 },
    { kind: 'firQ31', id: 'firLong', inputs: [{ input: 0 }], taps: taps(256), coefFracBits: 31 },
    { kind: 'delay', id: 'copy', inputs: [{ block: 'firA', channel: 0 }], delaySamples: 0 },
  ],
  outputs: ['firA', 'firB', 'firLong', 'copy'].map((b) => ({ name: b, source: { block: b, channel: 0 }, scale: 1 })),
};

describe('arrayc bench', () => {
  it('counts per block consistently: identical blocks count the same, 4x the taps costs about 4x, the parts add up', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'arrayc-benchtest-')), 'src');
    writeFolderAtomic(dir, generateSources(program));
    const r = await benchProgram(program, dir, 'cortex-m4');
    const [a, b, long, copy] = r.blocks;
    expect(a.instructionsPerSample).toBe(b.instructionsPerSample);
    expect(long.instructionsPerSample / a.instructionsPerSample).toBeGreaterThan(3.3);
    expect(long.instructionsPerSample / a.instructionsPerSample).toBeLessThan(4.1);
    // At least one instruction per tap (a multiply each), and the copy is cheap but not free.
    expect(a.instructionsPerSample).toBeGreaterThan(64);
    expect(copy.instructionsPerSample).toBeGreaterThan(0);
    expect(copy.instructionsPerSample).toBeLessThan(5);
    expect(r.macsPerSample).toBe(64 + 64 + 256);
    const sum = r.blocks.reduce((s, x) => s + x.instructionsPerSample, 0);
    expect(r.instructionsPerSample).toBeGreaterThanOrEqual(sum);
    // The rest is glue: copying each output block to the caller (LDM/STM, about half an
    // instruction a word).
    expect(r.instructionsPerSample - sum).toBeLessThan(6 * program.outputs.length);
    expect(r.instructionsPerSecond).toBeCloseTo(r.instructionsPerSample * 48000, 6);
    expect(r.sizes.text).toBeGreaterThan(0);
  });

  it('CLI --json on the manual crossover for cortex-m55', async () => {
    const res = await runCli(['bench', join(PROJECT_ROOT, 'designs', 'manual-crossover.json'), '--target', 'cortex-m55', '--json']);
    expect(res.code).toBe(0);
    const j = JSON.parse(res.stdout);
    for (const k of ['instructionsPerSample', 'macsPerSample', 'instructionsPerSecond']) expect(typeof j[k]).toBe('number');
    expect(j.blocks.length).toBe(18);
    expect(j.blocks[0]).toMatchObject({ name: 'eqL', kind: 'firQ31', macsPerSample: 128 });
    expect(Object.keys(j.sizes)).toEqual(['text', 'data', 'bss']);
  });

  // The bars of the performance issue, so that a slower kernel fails here and not only in the
  // README table: long FIRs and a biquad cascade that cannot saturate, side by side, and the
  // studio-3 pipeline (its committed program; the drift test keeps it equal to a fresh build).
  it('the performance bars hold on cortex-m4 and cortex-m55: FIR, biquad, studio-3 pipeline', async () => {
    const sine = (n: number, amp: number) => Array.from({ length: n }, (_, k) => Math.round((amp * Math.sin(k + 1)) / n));
    const kernels: FixedProgram = {
      name: 'benchbars',
      sampleRate: 48000,
      blockSize: 48,
      inputs: ['x'],
      blocks: [
        { kind: 'firQ31', id: 'fir31', inputs: [{ input: 0 }], taps: sine(768, 2 ** 30), coefFracBits: 31 },
        { kind: 'firQ15', id: 'fir15', inputs: [{ input: 0 }], taps: sine(768, 2 ** 14), coefFracBits: 15 },
        // 8 sections, poles at radius 0.5, b = 1/8 1/4 1/8 at Q2.30: L1 gain 0.82 per section.
        { kind: 'biquadDf1Q31', id: 'bq', inputs: [{ input: 0 }], coefs: Array.from({ length: 8 }, () => [1 << 27, 1 << 28, 1 << 27, 1 << 29, -(1 << 28)]).flat(), coefFracBits: 30, errorFeedback: new Array(8).fill(false) },
      ] as Block[],
      outputs: ['fir31', 'fir15', 'bq'].map((b) => ({ name: b, source: { block: b, channel: 0 }, scale: 1 })),
    };
    const studio = JSON.parse(readFileSync(join(PROJECT_ROOT, 'generated', 'studio-3', 'program.json'), 'utf8')) as FixedProgram;
    const root = mkdtempSync(join(tmpdir(), 'arrayc-benchbars-'));
    const run = async (p: FixedProgram, t: Target) => {
      const dir = join(root, `${p.name}-${t}`);
      writeFolderAtomic(dir, generateSources(p));
      return benchProgram(p, dir, t);
    };
    const perUnit = async (t: Target) => {
      const r = await run(kernels, t);
      const [f31, f15, bq] = r.blocks.map((b) => b.instructionsPerSample);
      return { fir31: f31 / 768, fir15: f15 / 768, biquad: bq / 8 };
    };
    const [m4, m55] = [await perUnit('cortex-m4'), await perUnit('cortex-m55')];
    console.log(`bars: cortex-m4 ${JSON.stringify(m4)}, cortex-m55 ${JSON.stringify(m55)}`);
    expect(m4.biquad).toBeLessThanOrEqual(10);
    expect(m4.fir31).toBeLessThanOrEqual(1.6);
    expect(m4.fir15).toBeLessThanOrEqual(1.0);
    expect(m55.fir15).toBeLessThanOrEqual(0.35);
    expect(m55.biquad).toBeLessThanOrEqual(m4.biquad);
    const [s4, s55] = [await run(studio, 'cortex-m4'), await run(studio, 'cortex-m55')];
    console.log(`bars: studio-3 ${s4.instructionsPerMac.toFixed(3)} (cortex-m4), ${s55.instructionsPerMac.toFixed(3)} (cortex-m55) instructions per MAC`);
    expect(s4.instructionsPerMac).toBeLessThanOrEqual(1.3);
    expect(s55.instructionsPerMac).toBeLessThanOrEqual(0.5);
  }, 300_000);

  it('refuses the host target', async () => {
    const res = await runCli(['bench', join(PROJECT_ROOT, 'designs', 'manual-crossover.json'), '--target', 'host']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/choose a Cortex-M target/);
  });
});
