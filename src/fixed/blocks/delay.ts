// Integer delay line: y[n] = x[n - delaySamples]. Circular buffer of delaySamples words.
import type { BlockKindDef } from '../blockKind.ts';
import { isInt } from '../blockKind.ts';
import type { DelayBlock } from '../program.ts';

/** 2^18 samples (5.4 s at 48 kHz, 1 MiB of state): fits every board's RAM with room to spare. */
export const MAX_DELAY_SAMPLES = 1 << 18;

export const delay: BlockKindDef<DelayBlock> = {
  kind: 'delay',
  outputCount: () => 1,
  inputCount: () => [1, 1],
  check(b) {
    return isInt(b.delaySamples, 0, MAX_DELAY_SAMPLES) ? [] : [['delaySamples', `expected an integer in [0, ${MAX_DELAY_SAMPLES}], got ${b.delaySamples}`]];
  },
  macsPerFrame: () => 0,
  createReference(b) {
    const d = b.delaySamples;
    const line = new Int32Array(Math.max(1, d));
    let pos = 0;
    return {
      process(inputs, outputs, n) {
        const x = inputs[0];
        const y = outputs[0];
        if (d === 0) {
          y.set(x.subarray(0, n));
          return;
        }
        for (let i = 0; i < n; i++) {
          const v = x[i];
          y[i] = line[pos];
          line[pos] = v;
          pos = pos + 1 === d ? 0 : pos + 1;
        }
      },
    };
  },
  cTemplate: ['copyWords.c', 'delay.c.hbs'],
  cInstance(b, prefix) {
    const d = b.delaySamples;
    return {
      tables: [],
      state: d === 0 ? [] : [
        { name: `${prefix}_line`, ctype: 'int32_t', length: d },
        { name: `${prefix}_pos`, ctype: 'uint32_t', length: 1 },
      ],
      call: (ctx) =>
        d === 0
          ? `arrayc_copy_words(${ctx.outputs[0]}, ${ctx.inputs[0]}, ${ctx.frames});`
          : `arrayc_delay_q31(${prefix}_line, ${prefix}_pos, ${d}, ${ctx.inputs[0]}, ${ctx.outputs[0]}, ${ctx.frames});`,
    };
  },
};
