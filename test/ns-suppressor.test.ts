// The noise suppressor's glue (src/fixed/ns/suppressor.ts and its C twin): the post-filter against
// g sin(pi g / 2), the per-bin comb mix against its float formula, the features' scaling, and
// the C against the TypeScript word for word on random and extreme values (the C of the per-bin
// comb mix is fused into spectral.c's arrayc_ns_apply_band_gains, tested in ns-spectral.test.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NS_BANDS, NS_FEATURES, binGainsQ15, nsFeatures, postFilterTable, shapeBandGains } from '../src/fixed/ns/suppressor.ts';
import { prng } from '../src/toolchain/vectors.ts';
import { compileHostC, runHostC } from './hostC.ts';

const KERNEL_C = fileURLToPath(new URL('../src/fixed/blocks/ns/suppressor.c', import.meta.url));

describe('post-filter, floor and comb mix against float', () => {
  const table = postFilterTable();
  it('post-filter g sin(pi g / 2) within 2 LSB over every Q15 gain', () => {
    let worst = 0;
    for (let g = 0; g <= 32767; g++) {
      const out = shapeBandGains(Int16Array.of(g), table, true, 0)[0];
      const f = (g / 32768) * Math.sin((Math.PI / 2) * (g / 32768)) * 32768;
      worst = Math.max(worst, Math.abs(out - f));
    }
    // Table entries are rounded (0.5 LSB), linear interpolation of sin over 1/256 steps errs by at
    // most (pi/2)^2 / 8 / 256^2 = 4.7e-6 (0.15 LSB), the product rounding 0.5 LSB.
    expect(worst).toBeLessThan(2);
  });
  it('the floor holds, and the post-filter can be switched off', () => {
    const g = Int16Array.from([0, 100, 5000, 32767]);
    expect(Array.from(shapeBandGains(Int16Array.from(g), table, false, 328))).toEqual([328, 328, 5000, 32767]);
    expect(Array.from(shapeBandGains(Int16Array.from(g), table, true, 0))[0]).toBe(0);
  });
  it('per-bin gain g ((1 - r) + r C) within 2 LSB', () => {
    const r = prng(3);
    let worst = 0;
    for (let i = 0; i < 20000; i++) {
      const g = r() % 32768, s = r() % 32768, c = (r() % 34000) - 1200;
      const out = binGainsQ15(Int16Array.of(g), Int16Array.of(s), Int16Array.of(Math.min(32767, c)), new Int16Array(1))[0];
      const mix = Math.min(32767 / 32768, Math.max(0, 1 - s / 32768 + ((s / 32768) * Math.min(32767, c)) / 32768));
      worst = Math.max(worst, Math.abs(out - (g / 32768) * mix * 32768));
    }
    expect(worst).toBeLessThan(2);
  });
  it('features: log energy centred and scaled, correlations to Q12, unvoiced frames carry no pitch', () => {
    const f = nsFeatures({ logEnergyQ8: new Int16Array(NS_BANDS).fill(30 * 256 + 128), combCorrelationQ15: new Int16Array(NS_BANDS).fill(32767), periodSamples: 0, pitchCorrelationQ15: 30000 }, new Int16Array(NS_FEATURES));
    expect(f[0]).toBe(256); // half an octave of energy above the centre: 0.0625 in Q12
    expect(f[NS_BANDS]).toBe(4096);
    expect([f[68], f[69]]).toEqual([0, 0]);
    const v = nsFeatures({ logEnergyQ8: new Int16Array(NS_BANDS), combCorrelationQ15: new Int16Array(NS_BANDS), periodSamples: 768, pitchCorrelationQ15: 16384 }, new Int16Array(NS_FEATURES));
    expect([v[68], v[69]]).toEqual([2048, 3072]);
  });
});

const DRIVER = `#include <stdio.h>
#include <stdint.h>
#include <string.h>
#define ARRAYC_NOINLINE __attribute__((noinline))
#include "${KERNEL_C}"
static int32_t rd(void) { int32_t v = 0; if (fread(&v, 4, 1, stdin) != 1) return 0; return v; }
static void wr(int32_t v) { fwrite(&v, 4, 1, stdout); }
int main(void) {
    int16_t table[257];
    for (int i = 0; i < 257; i++) table[i] = (int16_t)rd();
    const int cases = rd();
    for (int n = 0; n < cases; n++) {
        int16_t logE[34], rho[34], feat[70], g[34];
        for (int b = 0; b < 34; b++) logE[b] = (int16_t)rd();
        for (int b = 0; b < 34; b++) rho[b] = (int16_t)rd();
        const int period = rd(), corr = rd(), post = rd(), floorQ15 = rd();
        for (int b = 0; b < 34; b++) g[b] = (int16_t)rd();
        arrayc_ns_features(logE, rho, period, corr, feat);
        arrayc_ns_shape_band_gains(g, table, post, floorQ15);
        for (int i = 0; i < 70; i++) wr(feat[i]);
        for (int i = 0; i < 34; i++) wr(g[i]);
    }
    return 0;
}
`;

describe('C glue against the reference, word for word', () => {
  it('random and extreme values', async () => {
    const exe = await compileHostC(DRIVER.replace('${KERNEL_C}', KERNEL_C));
    expect(readFileSync(KERNEL_C, 'utf8')).toContain('arrayc_ns_shape_band_gains');
    const r = prng(9);
    const table = postFilterTable();
    const words: number[] = [...table];
    const expected: number[] = [];
    const cases = 300;
    words.push(cases);
    const pick = (lo: number, hi: number, n: number, extremes: number[]) => Array.from({ length: n }, () => (r() % 8 === 0 ? extremes[r() % extremes.length] : lo + (r() % (hi - lo + 1))));
    for (let c = 0; c < cases; c++) {
      const logE = pick(0, 32767, 34, [0, 32767, 7680]);
      const rho = pick(-32768, 32767, 34, [-32768, 32767, 0]);
      const period = c % 3 === 0 ? 0 : 60 + (r() % 709);
      const corr = r() % 32768;
      const post = c % 2;
      const floorQ15 = r() % 4000;
      const g = pick(0, 32767, 34, [0, 32767]);
      words.push(...logE, ...rho, period, corr, post, floorQ15, ...g);
      expected.push(...nsFeatures({ logEnergyQ8: logE, combCorrelationQ15: rho, periodSamples: period, pitchCorrelationQ15: corr }, new Int16Array(NS_FEATURES)));
      expected.push(...shapeBandGains(Int16Array.from(g), table, post === 1, floorQ15));
    }
    const got = await runHostC(exe, Int32Array.from(words));
    expect(got.length).toBe(expected.length);
    const first = expected.findIndex((v, i) => got[i] !== v);
    expect(first, first >= 0 ? `word ${first}: expected ${expected[first]}, got ${got[first]}` : '').toBe(-1);
  });
});
