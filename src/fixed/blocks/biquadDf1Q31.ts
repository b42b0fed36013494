// Biquad cascade, direct form I. Q31 data, coefficients with coefFracBits fraction bits (Q2.30 by
// default), 64-bit accumulator, round-half-up, saturation to int32. Per section:
//   acc = b0*x[n] + b1*x[n-1] + b2*x[n-2] + na1*y[n-1] + na2*y[n-2] (+ e[n-1] with error feedback)
//   y[n] = sat32(floor((acc + 2^(s-1)) / 2^s)),  e[n] = acc + 2^(s-1) - floor(...)*2^s - 2^(s-1)
// DF1 keeps the section's own output (saturated) as feedback state, so sections never overflow
// internally; error feedback shapes the rounding noise away from DC, where poles near z=1 amplify it.
import { INT32_MAX, INT32_MIN, TWO16, sat32, splitHi, splitLo } from '../arith.ts';
import type { BlockKindDef } from '../blockKind.ts';
import { INT64_SAFE_SUM_ABS_Q31, isInt } from '../blockKind.ts';
import { biquadInstanceCode } from '../../codegen/armBiquad.ts';
import { filterSection } from '../../design/graph.ts';
import type { BiquadDf1Q31Block } from '../program.ts';

export const COEFS_PER_SECTION = 5;
/** Per-section state words: x1, x2, y1, y2, e. */
export const STATE_PER_SECTION = 5;

export const biquadDf1Q31: BlockKindDef<BiquadDf1Q31Block> = {
  kind: 'biquadDf1Q31',
  outputCount: () => 1,
  inputCount: () => [1, 1],
  check(b) {
    const errors: [string, string][] = [];
    if (!isInt(b.coefFracBits, 16, 31)) errors.push(['coefFracBits', 'expected an integer in [16, 31]']);
    const n = b.coefs.length / COEFS_PER_SECTION;
    if (b.coefs.length === 0 || !Number.isInteger(n)) {
      errors.push(['coefs', `expected 5 coefficients per section, got ${b.coefs.length}`]);
      return errors;
    }
    if (b.errorFeedback.length !== n) errors.push(['errorFeedback', `expected ${n} flags, got ${b.errorFeedback.length}`]);
    for (let k = 0; k < n; k++) {
      let sumAbs = 0;
      for (let j = 0; j < COEFS_PER_SECTION; j++) {
        const c = b.coefs[k * COEFS_PER_SECTION + j];
        if (!isInt(c, INT32_MIN, INT32_MAX)) errors.push([`coefs[${k * COEFS_PER_SECTION + j}]`, `expected an int32, got ${c}`]);
        sumAbs += Math.abs(c);
      }
      if (sumAbs > INT64_SAFE_SUM_ABS_Q31 - 1) {
        errors.push([`coefs[${k * COEFS_PER_SECTION}..]`, `section ${k}: sum of |coefficients| ${sumAbs} could overflow the 64-bit accumulator (limit ${INT64_SAFE_SUM_ABS_Q31 - 1})`]);
      }
    }
    return errors;
  },
  macsPerFrame: (b) => b.coefs.length,
  createReference(b) {
    const nSections = b.coefs.length / COEFS_PER_SECTION;
    const hi = Float64Array.from(b.coefs, splitHi);
    const lo = Float64Array.from(b.coefs, splitLo);
    const ef = Uint8Array.from(b.errorFeedback, (f) => (f ? 1 : 0));
    const st = new Float64Array(nSections * STATE_PER_SECTION);
    const s = b.coefFracBits;
    const half = 2 ** (s - 1);
    const scale = 2 ** (s - 16);
    // Multiplying by exact inverse powers of two is exact and faster than dividing.
    const invScale = 1 / scale;
    const inv16 = 1 / TWO16;
    const two16 = TWO16; // a local: imported bindings are slow to read in hot loops
    return {
      process(inputs, outputs, n) {
        const out = outputs[0];
        let src = inputs[0];
        for (let k = 0; k < nSections; k++) {
          const c = k * COEFS_PER_SECTION;
          const h0 = hi[c], h1 = hi[c + 1], h2 = hi[c + 2], h3 = hi[c + 3], h4 = hi[c + 4];
          const l0 = lo[c], l1 = lo[c + 1], l2 = lo[c + 2], l3 = lo[c + 3], l4 = lo[c + 4];
          const o = k * STATE_PER_SECTION;
          let x1 = st[o], x2 = st[o + 1], y1 = st[o + 2], y2 = st[o + 3], e = st[o + 4];
          const useEf = ef[k] === 1;
          for (let i = 0; i < n; i++) {
            const x0 = src[i];
            const accH = x0 * h0 + x1 * h1 + x2 * h2 + y1 * h3 + y2 * h4;
            const t = x0 * l0 + x1 * l1 + x2 * l2 + y1 * l3 + y2 * l4 + e + half;
            const tq = Math.floor(t * inv16);
            const hiSum = accH + tq;
            const q = Math.floor(hiSum * invScale);
            // Residual of the rounding: acc + half - q * 2^s - half, with acc + half = accH * 2^16 + t.
            if (useEf) e = (accH - q * scale) * two16 + t - half;
            const y = sat32(q);
            out[i] = y;
            x2 = x1; x1 = x0; y2 = y1; y1 = y;
          }
          st[o] = x1; st[o + 1] = x2; st[o + 2] = y1; st[o + 3] = y2; st[o + 4] = e;
          src = out;
        }
      },
    };
  },
  cTemplate: 'biquadDf1Q31.c.hbs',
  cInstance(b, prefix, blockSize) {
    const nSections = b.coefs.length / COEFS_PER_SECTION;
    // Kernel generated for this instance (src/codegen/armBiquad.ts). One table for it and the
    // portable kernel: na1 - 2^s where it folds the error feedback (ef = 2), na1 elsewhere.
    const g = biquadInstanceCode(prefix, b.coefs, b.errorFeedback, b.coefFracBits, blockSize, saturationFreeSections(b.coefs, b.coefFracBits));
    return {
      tables: [
        { name: `${prefix}_coefs`, ctype: 'int32_t', values: g.table },
        { name: `${prefix}_ef`, ctype: 'uint8_t', values: g.efTable },
      ],
      // Two copies of the state (the generated kernel reads one, writes the other) and its control
      // words (see biquadInstanceCode).
      state: [
        { name: `${prefix}_state`, ctype: 'int32_t', length: 2 * nSections * STATE_PER_SECTION },
        { name: `${prefix}_ctl`, ctype: 'uint32_t', length: 2 },
      ],
      code: g.code,
      call: (ctx) => `${prefix}_bq(${ctx.inputs[0]}, ${ctx.outputs[0]}, ${ctx.frames});`,
    };
  },
};

/**
 * Which sections can never saturate, for any input in [-2^31, 2^31 - 1]: a proof the generated
 * kernel uses to leave out its saturation test there (the result is the same either way). While
 * nothing saturates, section k's output is exactly linear in the input and in the rounding errors
 * (each at most 1 LSB: round half up, or with error feedback the difference of two residuals):
 *   y_k = (H_0 ... H_k) x + sum_{j<=k} (1/A_j) (H_{j+1} ... H_k) eps_j
 * with H_i = B_i / A_i from the integer coefficients, so |y_k| <= 2^31 L1(H_0..H_k) + sum_j L1(...).
 * The L1 norms are summed over the impulse responses until they have decayed (a section whose
 * response has not decayed within 2^16 samples is not claimed), with a 2^-10 margin for the tail
 * and floating-point error. By induction over sections and samples, a section whose bound is below
 * 2^31 - 1 never saturates.
 */
export function saturationFreeSections(coefs: readonly number[], coefFracBits: number): boolean[] {
  const K = coefs.length / COEFS_PER_SECTION;
  const scale = 2 ** -coefFracBits;
  const N_MAX = 1 << 16;
  // Section k as filterSection takes it (b0 b1 b2 a1 a2, a = -na), and its recursive part 1 / A_k.
  const section = (k: number) => coefs.slice(5 * k, 5 * k + 5).map((c, j) => (j < 3 ? c : -c) * scale);
  const recursive = (k: number) => [1, 0, 0, ...section(k).slice(3)];
  const l1 = (h: Float64Array): number | null => {
    let tail = 0;
    for (let n = h.length - 1024; n < h.length; n++) tail = Math.max(tail, Math.abs(h[n]));
    if (tail > 1e-12) return null;
    return h.reduce((a, v) => a + Math.abs(v), 0);
  };
  const out: boolean[] = [];
  const impulse = new Float64Array(N_MAX);
  impulse[0] = 1;
  // signals[0]: response at the current section's output to an impulse at the cascade input (or
  // at the output of the last section that may saturate: any int32 again); signals[1 + i]: to an
  // impulse at a later section's rounding point.
  let signals: Float64Array[] = [impulse];
  for (let k = 0; k < K; k++) {
    signals = signals.map((sig) => filterSection(section(k), sig));
    signals.push(filterSection(recursive(k), impulse)); // this section's own rounding error
    const norms = signals.map(l1);
    const decayed = norms.every((v): v is number => v !== null);
    const free = decayed && (2 ** 31 * norms[0] + norms.slice(1).reduce((a, v) => a + v, 0)) * (1 + 2 ** -10) < 2 ** 31 - 1;
    out.push(free);
    // After a section that may saturate, the next one's input is only known to be an int32.
    if (!free) signals = [impulse];
  }
  return out;
}
