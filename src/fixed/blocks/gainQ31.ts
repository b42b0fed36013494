// Gain: y[n] = sat32(floor((g * x[n] + 2^(s-1)) / 2^s)), g an int32 with s fraction bits.
import { INT32_MAX, INT32_MIN, roundShiftSplit, sat32, splitHi, splitLo } from '../arith.ts';
import type { BlockKindDef } from '../blockKind.ts';
import { isInt } from '../blockKind.ts';
import type { GainQ31Block } from '../program.ts';

export const gainQ31: BlockKindDef<GainQ31Block> = {
  kind: 'gainQ31',
  outputCount: () => 1,
  inputCount: () => [1, 1],
  check(b) {
    const errors: [string, string][] = [];
    if (!isInt(b.fracBits, 16, 31)) errors.push(['fracBits', 'expected an integer in [16, 31]']);
    if (!isInt(b.gain, INT32_MIN, INT32_MAX)) errors.push(['gain', `expected an int32, got ${b.gain}`]);
    return errors;
  },
  macsPerFrame: () => 1,
  createReference(b) {
    const gh = splitHi(b.gain);
    const gl = splitLo(b.gain);
    const s = b.fracBits;
    return {
      process(inputs, outputs, n) {
        const x = inputs[0];
        const y = outputs[0];
        for (let i = 0; i < n; i++) y[i] = sat32(roundShiftSplit(x[i] * gh, x[i] * gl, s));
      },
    };
  },
  cTemplate: 'gainQ31.c.hbs',
  cInstance(b) {
    return {
      tables: [],
      state: [],
      call: (ctx) => `arrayc_gain_q31(${b.gain}, ${b.fracBits}, ${ctx.inputs[0]}, ${ctx.outputs[0]}, ${ctx.frames});`,
    };
  },
};
