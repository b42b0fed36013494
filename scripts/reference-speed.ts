// Measures how fast the TypeScript reference renders audio: a 2-in/6-out graph with 24 biquad
// sections (error feedback where the quantizer chooses it) and two 256-tap Q31 FIRs, 48 kHz.
// Run: npx tsx scripts/reference-speed.ts [seconds]
import { linkwitzRiley4, peakingBiquad, zeroPhaseFir } from '../src/design/filters.ts';
import type { FloatBlock, FloatGraph } from '../src/design/graph.ts';
import { quantizeGraph } from '../src/fixed/quantize.ts';
import { ReferenceRunner } from '../src/fixed/reference.ts';
import { prng } from '../src/toolchain/vectors.ts';

const fs = 48000;
const seconds = Number(process.argv[2] ?? 20);
const blocks: FloatBlock[] = [];
const outputs: FloatGraph['outputs'] = [];
['L', 'R'].forEach((side, i) => {
  blocks.push({ kind: 'fir', id: `eq${side}`, inputs: [{ input: i }], taps: zeroPhaseFir(256, fs, (hz) => (hz < 200 ? 1.4 : 1)), precision: 'q31' });
  const bands: [string, ReturnType<typeof linkwitzRiley4>][] = [
    ['low', [...linkwitzRiley4('lowpass', 250, fs), peakingBiquad(60, fs, 1, -2), peakingBiquad(120, fs, 2, 1)]],
    ['mid', [...linkwitzRiley4('highpass', 250, fs), ...linkwitzRiley4('lowpass', 2500, fs)]],
    ['high', [...linkwitzRiley4('highpass', 2500, fs), peakingBiquad(9000, fs, 1, 1), peakingBiquad(12000, fs, 1, -1)]],
  ];
  for (const [band, sos] of bands) {
    blocks.push({ kind: 'biquad', id: `${band}${side}`, inputs: [{ block: `eq${side}`, channel: 0 }], sos, errorFeedback: 'auto' });
    outputs.push({ name: `${band}${side}`, source: { block: `${band}${side}`, channel: 0 } });
  }
});
const graph: FloatGraph = { name: 'speed', sampleRate: fs, blockSize: 48, inputs: ['L', 'R'], blocks, outputs };
const { program } = quantizeGraph(graph);
const sections = program.blocks.reduce((a, b) => a + (b.kind === 'biquadDf1Q31' ? b.coefs.length / 5 : 0), 0);
const ef = program.blocks.reduce((a, b) => a + (b.kind === 'biquadDf1Q31' ? b.errorFeedback.filter(Boolean).length : 0), 0);

const r = prng(1);
const input = [0, 1].map(() => Int32Array.from({ length: fs }, () => r() | 0));
const runner = new ReferenceRunner(program);
const bs = program.blockSize;
const view = [0, 1].map(() => new Int32Array(bs));
const run = (secs: number) => {
  for (let s = 0; s < secs; s++) {
    for (let i = 0; i < fs; i += bs) {
      view[0].set(input[0].subarray(i, i + bs));
      view[1].set(input[1].subarray(i, i + bs));
      runner.processBlock(view, bs);
    }
  }
};
run(2); // warm-up: let the JIT compile the kernels
const t0 = performance.now();
run(seconds);
const elapsed = (performance.now() - t0) / 1000;
console.log(`reference: ${program.inputs.length} in / ${program.outputs.length} out, ${sections} biquad sections (${ef} with error feedback), 2 x 256-tap FIR q31`);
console.log(`rendered ${seconds} s of 48 kHz audio in ${elapsed.toFixed(2)} s: ${(seconds / elapsed).toFixed(1)}x real time`);
