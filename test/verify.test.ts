// End to end: the CLI's verify on every target, and a verify that fails says where.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, buildDesign, writeBuilt } from '../src/pipeline.ts';
import { verifyTarget } from '../src/toolchain/verify.ts';
import { runCli } from './helpers.ts';

const design = join(PROJECT_ROOT, 'designs', 'manual-crossover.json');

describe('arrayc verify', () => {
  it('manual-crossover is bit-exact on all five targets (--json)', async () => {
    const r = await runCli(['verify', design, '--target', 'all', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.design).toBe('manual-crossover');
    expect(j.results.map((x: { target: string }) => x.target)).toEqual(['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55']);
    for (const res of j.results) {
      expect(res).toMatchObject({ bitExact: true, mismatches: 0, firstMismatch: null });
      expect(res.frames).toBeGreaterThanOrEqual(48000);
      expect(res.samples).toBe(res.frames * 6);
    }
  });

  it('a corrupted coefficient is caught and located: block, channel, sample, both values', async () => {
    const built = buildDesign(design);
    const dir = join(mkdtempSync(join(tmpdir(), 'arrayc-mutant-')), 'src');
    writeBuilt(built, dir);
    const cFile = join(dir, 'arrayc_manual_crossover.c');
    const src = readFileSync(cFile, 'utf8');
    // Change the third coefficient of midR's first section by one LSB.
    const m = /(static const int32_t ARRAYC_ALIGN b_midR_coefs\[\d+\] = \{\n\s+-?\d+, -?\d+, )(-?\d+)/.exec(src);
    expect(m).not.toBeNull();
    const mutated = src.replace(m![0], `${m![1]}${Number(m![2]) + 1}`);
    expect(mutated).not.toBe(src);
    writeFileSync(cFile, mutated);
    for (const target of ['host', 'cortex-m4'] as const) {
      const r = await verifyTarget(built.program, dir, target);
      expect(r.bitExact).toBe(false);
      expect(r.mismatches).toBeGreaterThan(0);
      const f = r.firstMismatch!;
      expect(f.output).toBe('midR');
      expect(f.expected).not.toBe(f.actual);
      expect(f.block).toMatchObject({ id: 'midR', kind: 'biquadDf1Q31', channel: 0 });
      expect(f.block!.expected).not.toBe(f.block!.actual);
      expect(f.block!.frame).toBeLessThanOrEqual(f.frame);
    }
  });
});
