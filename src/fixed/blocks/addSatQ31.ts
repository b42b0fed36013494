// Saturating adder: y[n] = sat32(sum_k x_k[n]), summed exactly (64-bit in C).
import { sat32 } from '../arith.ts';
import type { BlockKindDef } from '../blockKind.ts';
import type { AddSatQ31Block } from '../program.ts';

export const MAX_ADD_INPUTS = 64;

export const addSatQ31: BlockKindDef<AddSatQ31Block> = {
  kind: 'addSatQ31',
  outputCount: () => 1,
  inputCount: () => [1, MAX_ADD_INPUTS],
  check: () => [],
  macsPerFrame: () => 0,
  createReference(b) {
    const nIn = b.inputs.length;
    return {
      process(inputs, outputs, n) {
        const y = outputs[0];
        for (let i = 0; i < n; i++) {
          let acc = 0;
          for (let k = 0; k < nIn; k++) acc += inputs[k][i];
          y[i] = sat32(acc);
        }
      },
    };
  },
  cTemplate: ['copyWords.c', 'addSatQ31.c.hbs'],
  cInstance(b, prefix) {
    const nIn = b.inputs.length;
    return {
      tables: [],
      state: [],
      call: (ctx) =>
        [
          `{`,
          `        const int32_t *const ${prefix}_in[${nIn}] = { ${ctx.inputs.join(', ')} };`,
          `        arrayc_add_sat_q31(${prefix}_in, ${nIn}, ${ctx.outputs[0]}, ${ctx.frames});`,
          `    }`,
        ].join('\n'),
    };
  },
};
