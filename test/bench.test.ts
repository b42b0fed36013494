// arrayc bench: instruction counts from QEMU's per-instruction trace, cut per block.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSources } from '../src/codegen/generate.ts';
import { writeFolderAtomic } from '../src/codegen/writeFolder.ts';
import type { FixedProgram } from '../src/fixed/program.ts';
import { PROJECT_ROOT } from '../src/pipeline.ts';
import { benchProgram } from '../src/toolchain/bench.ts';
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
    // The rest is glue: copying each output block to the caller (memcpy, a few instructions a word).
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

  it('refuses the host target', async () => {
    const res = await runCli(['bench', join(PROJECT_ROOT, 'designs', 'manual-crossover.json'), '--target', 'host']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/choose a Cortex-M target/);
  });
});
