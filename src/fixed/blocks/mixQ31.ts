// N-in/M-out mix matrix: y_m[n] = sat32(floor((sum_k g[m][k] x_k[n] + 2^(s-1)) / 2^s)),
// int32 gains with s fraction bits, one 64-bit accumulator per output.
import { INT32_MAX, INT32_MIN, roundShiftSplit, sat32, splitHi, splitLo } from '../arith.ts';
import type { BlockKindDef } from '../blockKind.ts';
import { INT64_SAFE_SUM_ABS_Q31, isInt } from '../blockKind.ts';
import type { MixQ31Block } from '../program.ts';

/** Inputs per mix: keeps the reference's split partial sums exact (64 * 2^47 < 2^53). */
export const MAX_MIX_INPUTS = 64;

export const mixQ31: BlockKindDef<MixQ31Block> = {
  kind: 'mixQ31',
  outputCount: (b) => b.outputs,
  inputCount: () => [1, MAX_MIX_INPUTS],
  check(b) {
    const errors: [string, string][] = [];
    if (!isInt(b.fracBits, 16, 31)) errors.push(['fracBits', 'expected an integer in [16, 31]']);
    if (!isInt(b.outputs, 1, 256)) errors.push(['outputs', `expected an integer in [1, 256], got ${b.outputs}`]);
    const nIn = b.inputs.length;
    if (b.gains.length !== nIn * b.outputs) {
      errors.push(['gains', `expected ${b.outputs} x ${nIn} = ${nIn * b.outputs} gains, got ${b.gains.length}`]);
      return errors;
    }
    for (let m = 0; m < b.outputs; m++) {
      let sumAbs = 0;
      for (let k = 0; k < nIn; k++) {
        const g = b.gains[m * nIn + k];
        if (!isInt(g, INT32_MIN, INT32_MAX)) errors.push([`gains[${m * nIn + k}]`, `expected an int32, got ${g}`]);
        sumAbs += Math.abs(g);
      }
      if (sumAbs > INT64_SAFE_SUM_ABS_Q31 - 1) errors.push([`gains`, `output ${m}: sum of |gains| ${sumAbs} could overflow the 64-bit accumulator`]);
    }
    return errors;
  },
  macsPerFrame: (b) => b.gains.length,
  createReference(b) {
    const nIn = b.inputs.length;
    const hi = Float64Array.from(b.gains, splitHi);
    const lo = Float64Array.from(b.gains, splitLo);
    const s = b.fracBits;
    return {
      process(inputs, outputs, n) {
        for (let m = 0; m < b.outputs; m++) {
          const y = outputs[m];
          const row = m * nIn;
          for (let i = 0; i < n; i++) {
            let accH = 0;
            let accL = 0;
            for (let k = 0; k < nIn; k++) {
              const v = inputs[k][i];
              accH += v * hi[row + k];
              accL += v * lo[row + k];
            }
            y[i] = sat32(roundShiftSplit(accH, accL, s));
          }
        }
      },
    };
  },
  cTemplate: 'mixQ31.c.hbs',
  cInstance(b, prefix) {
    const nIn = b.inputs.length;
    return {
      tables: [{ name: `${prefix}_gains`, ctype: 'int32_t', values: b.gains }],
      state: [],
      call: (ctx) => {
        const ins = `${prefix}_in`;
        const outs = `${prefix}_out`;
        return [
          `{`,
          `        const int32_t *const ${ins}[${nIn}] = { ${ctx.inputs.join(', ')} };`,
          `        int32_t *const ${outs}[${b.outputs}] = { ${ctx.outputs.join(', ')} };`,
          `        arrayc_mix_q31(${prefix}_gains, ${nIn}, ${b.outputs}, ${b.fracBits}, ${ins}, ${outs}, ${ctx.frames});`,
          `    }`,
        ].join('\n');
      },
    };
  },
};
