// The optimized kernel paths (four outputs per pass, four taps per step, the Helium path on the
// M55, the scalar remainders) against the reference, on tap counts and block sizes that hit every
// remainder: generated C on host, a DSP core and the Helium core.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSources } from '../src/codegen/generate.ts';
import { writeFolderAtomic } from '../src/codegen/writeFolder.ts';
import type { Block, FixedProgram } from '../src/fixed/program.ts';
import { prng, testVectors } from '../src/toolchain/vectors.ts';
import { verifyTargets } from '../src/toolchain/verify.ts';

const TAP_COUNTS = [1, 2, 3, 4, 5, 7, 8, 64, 65, 255];

function firProgram(blockSize: number): FixedProgram {
  const r = prng(blockSize);
  const blocks: Block[] = TAP_COUNTS.map((n) => {
    // Taps near full scale with sum |taps| within the accumulator bound.
    const limit = Math.floor((2 ** 32 - 2) / n);
    const taps = Array.from({ length: n }, () => {
      const v = Math.floor(((r() / 2 ** 32) * 2 - 1) * Math.min(limit, 2 ** 31 - 1));
      return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v));
    });
    return { kind: 'firQ31', id: `fir${n}`, inputs: [{ input: 0 }], taps, coefFracBits: 16 + (n % 16) } as Block;
  });
  // Q15 taps at full range, including -32768 (the Helium path sums eight products at once).
  for (const n of [...TAP_COUNTS, 9, 16, 17]) {
    const taps = Array.from({ length: n }, (_, k) => (k === 0 ? -32768 : Math.floor(((r() / 2 ** 32) * 2 - 1) * 32767)));
    blocks.push({ kind: 'firQ15', id: `q15fir${n}`, inputs: [{ input: 0 }], taps, coefFracBits: 1 + (n % 15) } as Block);
  }
  return {
    name: `kfir${blockSize}`, sampleRate: 48000, blockSize, inputs: ['x'], blocks,
    outputs: blocks.map((b) => ({ name: b.id, source: { block: b.id, channel: 0 }, scale: 1 })),
  };
}

describe('FIR Q31 and Q15 kernel paths', () => {
  for (const bs of [1, 5, 48]) {
    it(`tap counts ${TAP_COUNTS.join(', ')} (Q15 also 9, 16, 17) at block size ${bs}: bit-exact on host, cortex-m4, cortex-m33 and cortex-m55`, async () => {
      const p = firProgram(bs);
      const dir = join(mkdtempSync(join(tmpdir(), 'arrayc-kernels-')), 'src');
      writeFolderAtomic(dir, generateSources(p));
      const inputs = testVectors(1).map((x) => x.subarray(0, 6000));
      const res = await verifyTargets(p, dir, ['host', 'cortex-m4', 'cortex-m33', 'cortex-m55'], { inputs });
      for (const r of res) expect(r, r.target).toMatchObject({ bitExact: true, mismatches: 0 });
    });
  }
});
