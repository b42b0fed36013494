// FIR, Q31 data x Q31 taps (coefFracBits fraction bits), 64-bit accumulator, round half up,
// saturation: y[n] = sat32(floor((sum_k h[k] x[n-k] + 2^(s-1)) / 2^s)).
import { INT32_MAX, INT32_MIN, TWO16, roundShiftSplit, sat32, splitHi, splitLo } from '../arith.ts';
import type { BlockKindDef } from '../blockKind.ts';
import { INT64_SAFE_SUM_ABS_Q31, isInt } from '../blockKind.ts';
import { firQ31Instance } from '../../codegen/armFir.ts';
import type { FirQ31Block } from '../program.ts';

export const MAX_FIR_TAPS = 16384;
/** Taps summed per exact partial sum in the reference (64 * 2^47 < 2^53). */
const CHUNK = 64;

export const firQ31: BlockKindDef<FirQ31Block> = {
  kind: 'firQ31',
  outputCount: () => 1,
  inputCount: () => [1, 1],
  check(b) {
    const errors: [string, string][] = [];
    if (!isInt(b.coefFracBits, 16, 31)) errors.push(['coefFracBits', 'expected an integer in [16, 31]']);
    if (b.taps.length < 1 || b.taps.length > MAX_FIR_TAPS) errors.push(['taps', `expected 1..${MAX_FIR_TAPS} taps, got ${b.taps.length}`]);
    let sumAbs = 0;
    b.taps.forEach((t, k) => {
      if (!isInt(t, INT32_MIN, INT32_MAX)) errors.push([`taps[${k}]`, `expected an int32, got ${t}`]);
      sumAbs += Math.abs(t);
    });
    if (sumAbs > INT64_SAFE_SUM_ABS_Q31 - 1) {
      errors.push(['taps', `sum of |taps| ${sumAbs} could overflow the 64-bit accumulator (limit ${INT64_SAFE_SUM_ABS_Q31 - 1})`]);
    }
    return errors;
  },
  macsPerFrame: (b) => b.taps.length,
  createReference(b, blockSize) {
    const nTaps = b.taps.length;
    // Reversed so that y[i] = sum_j hist[i + j] * rev[j] walks both arrays forward.
    const hiR = new Float64Array(nTaps);
    const loR = new Float64Array(nTaps);
    for (let j = 0; j < nTaps; j++) {
      hiR[j] = splitHi(b.taps[nTaps - 1 - j]);
      loR[j] = splitLo(b.taps[nTaps - 1 - j]);
    }
    const hist = new Int32Array(nTaps - 1 + blockSize);
    const s = b.coefFracBits;
    const two16 = TWO16; // locals: imported bindings are slow to read in hot loops
    const inv16 = 1 / TWO16;
    return {
      process(inputs, outputs, n) {
        const x = inputs[0];
        const y = outputs[0];
        hist.set(x.subarray(0, n), nTaps - 1);
        let i = 0;
        // Four outputs at a time share each coefficient load and slide over the history.
        for (; i + 4 <= n; i += 4) {
          let aH0 = 0, aL0 = 0, aH1 = 0, aL1 = 0, aH2 = 0, aL2 = 0, aH3 = 0, aL3 = 0;
          for (let j0 = 0; j0 < nTaps; j0 += CHUNK) {
            const j1 = Math.min(nTaps, j0 + CHUNK);
            let h0 = 0, l0 = 0, h1 = 0, l1 = 0, h2 = 0, l2 = 0, h3 = 0, l3 = 0;
            let v0 = hist[i + j0], v1 = hist[i + j0 + 1], v2 = hist[i + j0 + 2];
            for (let j = j0; j < j1; j++) {
              const v3 = hist[i + j + 3];
              const ch = hiR[j], cl = loR[j];
              h0 += v0 * ch; l0 += v0 * cl;
              h1 += v1 * ch; l1 += v1 * cl;
              h2 += v2 * ch; l2 += v2 * cl;
              h3 += v3 * ch; l3 += v3 * cl;
              v0 = v1; v1 = v2; v2 = v3;
            }
            // Carry the low parts into the high parts so every partial sum stays exact.
            aL0 += l0; let c = Math.floor(aL0 * inv16); aL0 -= c * two16; aH0 += h0 + c;
            aL1 += l1; c = Math.floor(aL1 * inv16); aL1 -= c * two16; aH1 += h1 + c;
            aL2 += l2; c = Math.floor(aL2 * inv16); aL2 -= c * two16; aH2 += h2 + c;
            aL3 += l3; c = Math.floor(aL3 * inv16); aL3 -= c * two16; aH3 += h3 + c;
          }
          y[i] = sat32(roundShiftSplit(aH0, aL0, s));
          y[i + 1] = sat32(roundShiftSplit(aH1, aL1, s));
          y[i + 2] = sat32(roundShiftSplit(aH2, aL2, s));
          y[i + 3] = sat32(roundShiftSplit(aH3, aL3, s));
        }
        for (; i < n; i++) {
          let accH = 0;
          let accL = 0;
          for (let j0 = 0; j0 < nTaps; j0 += CHUNK) {
            const j1 = Math.min(nTaps, j0 + CHUNK);
            let cH = 0;
            let cL = 0;
            for (let j = j0; j < j1; j++) {
              const v = hist[i + j];
              cH += v * hiR[j];
              cL += v * loR[j];
            }
            accL += cL;
            const carry = Math.floor(accL * inv16);
            accL -= carry * two16;
            accH += cH + carry;
          }
          y[i] = sat32(roundShiftSplit(accH, accL, s));
        }
        hist.copyWithin(0, n, n + nTaps - 1);
      },
    };
  },
  cTemplate: ['copyWords.c', 'firQ31.c.hbs'],
  cInstance(b, prefix, blockSize) {
    // Kernels generated for this instance's tap count (src/codegen/armFir.ts).
    const g = firQ31Instance(prefix, b.taps, b.coefFracBits, blockSize);
    return {
      tables: [{ name: `${prefix}_taps`, ctype: 'int32_t', values: g.table }],
      state: [
        { name: `${prefix}_hist`, ctype: 'int32_t', length: g.histLength },
        { name: `${prefix}_pos`, ctype: 'uint32_t', length: 1 },
      ],
      code: g.code,
      call: (ctx) => `${prefix}_fir(${ctx.inputs[0]}, ${ctx.outputs[0]}, ${ctx.frames});`,
    };
  },
};
