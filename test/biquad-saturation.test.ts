// The proof that lets the generated biquad kernel leave out its saturation test
// (saturationFreeSections): a section it clears never reaches the rails, even on the input built
// to drive that section's output to its largest value; sections with gain above full scale are
// not cleared. (test/kernels.test.ts runs cleared and uncleared cascades bit-exact on the cores.)
import { describe, expect, it } from 'vitest';
import { filterSection } from '../src/design/graph.ts';
import { biquadDf1Q31, saturationFreeSections } from '../src/fixed/blocks/biquadDf1Q31.ts';
import type { BiquadDf1Q31Block } from '../src/fixed/program.ts';
import { prng } from '../src/toolchain/vectors.ts';

const S = 30;

/** Output of the first k+1 sections for input x (the block's own reference). */
function runCascade(coefs: number[], ef: boolean[], k: number, x: Int32Array): Int32Array {
  const b: BiquadDf1Q31Block = { kind: 'biquadDf1Q31', id: 'b', inputs: [{ input: 0 }], coefs: coefs.slice(0, 5 * (k + 1)), coefFracBits: S, errorFeedback: ef.slice(0, k + 1) };
  const out = new Int32Array(x.length);
  biquadDf1Q31.createReference(b, x.length).process([x], [out], x.length);
  return out;
}

/** The input (full scale, signs of the time-reversed impulse response) maximizing y_k at its end. */
function worstInput(coefs: number[], k: number, n: number): Int32Array {
  const imp = new Float64Array(n);
  imp[0] = 1;
  let h: Float64Array = imp;
  for (let j = 0; j <= k; j++) h = filterSection(coefs.slice(5 * j, 5 * j + 5).map((c, i) => (i < 3 ? c : -c) / 2 ** S), h);
  return Int32Array.from({ length: n }, (_, i) => (h[n - 1 - i] >= 0 ? 2147483647 : -2147483648));
}

/** A random stable section with gain scaled by g (b scaled so its L1 norm is about g). */
function randomSection(r: () => number, g: number): number[] {
  const u = () => r() / 2 ** 32;
  const radius = 0.3 + 0.65 * u(), theta = Math.PI * u();
  const a1 = -2 * radius * Math.cos(theta), a2 = radius * radius;
  const b = [u() - 0.5, u() - 0.5, u() - 0.5];
  // L1 of the section's impulse response, then scale b to reach g.
  const imp = new Float64Array(4000);
  imp[0] = 1;
  const l1 = filterSection([...b, a1, a2], imp).reduce((acc, v) => acc + Math.abs(v), 0);
  const q = (v: number) => Math.round(v * 2 ** S);
  return [...b.map((v) => q((v * g) / l1)), q(-a1), q(-a2)];
}

describe('saturationFreeSections', () => {
  it('cleared sections stay off the rails on their worst-case input; sections with gain above 1 are not cleared', () => {
    const r = prng(17);
    let cleared = 0, refused = 0;
    for (let t = 0; t < 30; t++) {
      const K = 1 + (r() % 4);
      const gains = Array.from({ length: K }, () => (r() % 3 === 0 ? 1.3 : 0.5 + 0.45 * (r() / 2 ** 32)));
      const coefs = gains.flatMap((g) => randomSection(r, g));
      const ef = Array.from({ length: K }, () => r() % 2 === 0);
      const free = saturationFreeSections(coefs, S);
      for (let k = 0; k < K; k++) {
        if (!free[k]) {
          refused++;
          continue;
        }
        cleared++;
        const y = runCascade(coefs, ef, k, worstInput(coefs, k, 6000));
        for (const v of y) expect(v > -2147483648 && v < 2147483647, `trial ${t} section ${k}`).toBe(true);
      }
      // A section whose own gain is above full scale, reached from a full-scale input, is refused.
      if (gains[0] > 1) expect(free[0]).toBe(false);
    }
    expect(cleared).toBeGreaterThan(15);
    expect(refused).toBeGreaterThan(5);
  });

  it('a section that really saturates on its worst-case input is never cleared', () => {
    const r = prng(5);
    let saturating = 0;
    for (let t = 0; t < 20; t++) {
      const coefs = randomSection(r, 1.05);
      const y = runCascade(coefs, [false], 0, worstInput(coefs, 0, 6000));
      if (y.some((v) => v === 2147483647 || v === -2147483648)) {
        saturating++;
        expect(saturationFreeSections(coefs, S)[0]).toBe(false);
      }
    }
    expect(saturating).toBeGreaterThan(10);
  });
});
