// FIR, Q15 data x Q15 taps (coefFracBits fraction bits), 64-bit accumulator. The input is taken
// from Q31 to Q15 (round half up, saturate), the output rounded and saturated to Q15 and widened
// back to Q31 (x 2^16): y31[n] = 2^16 * sat16(floor((sum_k h[k] x15[n-k] + 2^(s-1)) / 2^s)).
import { INT16_MAX, INT16_MIN, q31ToQ15, sat16 } from '../arith.ts';
import type { BlockKindDef } from '../blockKind.ts';
import { isInt } from '../blockKind.ts';
import { firQ15Instance } from '../../codegen/armFir.ts';
import type { FirQ15Block } from '../program.ts';
import { MAX_FIR_TAPS } from './firQ31.ts';

export const firQ15: BlockKindDef<FirQ15Block> = {
  kind: 'firQ15',
  outputCount: () => 1,
  inputCount: () => [1, 1],
  check(b) {
    const errors: [string, string][] = [];
    if (!isInt(b.coefFracBits, 1, 15)) errors.push(['coefFracBits', 'expected an integer in [1, 15]']);
    if (b.taps.length < 1 || b.taps.length > MAX_FIR_TAPS) errors.push(['taps', `expected 1..${MAX_FIR_TAPS} taps, got ${b.taps.length}`]);
    b.taps.forEach((t, k) => {
      if (!isInt(t, INT16_MIN, INT16_MAX)) errors.push([`taps[${k}]`, `expected an int16, got ${t}`]);
    });
    return errors;
  },
  macsPerFrame: (b) => b.taps.length,
  createReference(b, blockSize) {
    const nTaps = b.taps.length;
    const rev = Float64Array.from({ length: nTaps }, (_, j) => b.taps[nTaps - 1 - j]);
    const hist = new Int16Array(nTaps - 1 + blockSize);
    const s = b.coefFracBits;
    const half = 2 ** (s - 1);
    const div = 2 ** s;
    return {
      process(inputs, outputs, n) {
        const x = inputs[0];
        const y = outputs[0];
        for (let i = 0; i < n; i++) hist[nTaps - 1 + i] = q31ToQ15(x[i]);
        for (let i = 0; i < n; i++) {
          // |sum| < 16384 * 2^30 = 2^44: exact in a double.
          let acc = half;
          for (let j = 0; j < nTaps; j++) acc += hist[i + j] * rev[j];
          y[i] = sat16(Math.floor(acc / div)) * 65536;
        }
        hist.copyWithin(0, n, n + nTaps - 1);
      },
    };
  },
  cTemplate: 'firQ15.c.hbs',
  cInstance(b, prefix, blockSize) {
    // Kernels generated for this instance's tap count (src/codegen/armFir.ts).
    const g = firQ15Instance(prefix, b.taps, b.coefFracBits, blockSize);
    return {
      tables: [{ name: `${prefix}_taps`, ctype: 'int16_t', values: g.table }],
      state: [
        { name: `${prefix}_hist`, ctype: 'int16_t', length: g.histLength },
        { name: `${prefix}_pos`, ctype: 'uint32_t', length: 1 },
      ],
      code: g.code,
      call: (ctx) => `${prefix}_fir(${ctx.inputs[0]}, ${ctx.outputs[0]}, ${ctx.frames});`,
    };
  },
};
