// The quantizer against independent truth: the float design simulated in float64.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FloatGraph, simulateFloat } from '../src/design/graph.ts';
import { lowpassBiquad } from '../src/design/filters.ts';
import { loadDesign } from '../src/designfile/load.ts';
import { quantizeGraph } from '../src/fixed/quantize.ts';
import { runProgram } from '../src/fixed/reference.ts';
import { PROJECT_ROOT } from '../src/pipeline.ts';
import { prng } from '../src/toolchain/vectors.ts';

const FS = 2 ** 31;
const crossover = (() => {
  const d = loadDesign(join(PROJECT_ROOT, 'designs', 'manual-crossover.json'));
  if (d.kind !== 'manual') throw new Error('manual-crossover should be a manual design');
  return d.graph;
})();

function impulseResponses(g: FloatGraph, len: number) {
  return g.inputs.map((_, i) =>
    simulateFloat(g, g.inputs.map((__, k) => {
      const x = new Float64Array(len);
      if (k === i) x[0] = 1;
      return x;
    })),
  );
}

describe('headroom', () => {
  it('the worst-case full-scale input for every block output reaches close to, but never past, full scale', () => {
    const { program, report } = quantizeGraph(crossover);
    const len = 4096;
    const irs = impulseResponses(crossover, len);
    const at = len - 1;
    for (const [bi, b] of crossover.blocks.entries()) {
      const key = `${b.id}.0`;
      // Input that drives this signal to its L1 bound at frame `at`: x_i[at - k] = sign(h_i[k]).
      const inputs = crossover.inputs.map((_, i) => {
        const h = irs[i].signals.get(key)!;
        const x = new Int32Array(len);
        for (let k = 0; k <= at; k++) x[at - k] = h[k] > 0 ? 2147483647 : h[k] < 0 ? -2147483648 : 0;
        return x;
      });
      const trace = runProgram(program, inputs, { trace: true }).trace!;
      const v = trace[bi][0][at];
      const scale = report.scales.get(key)!;
      const expected = report.peaks.get(key)! * scale * FS;
      expect(Math.abs(v), `${key} at its worst case`).toBeLessThan(2147483647);
      expect(Math.abs(Math.abs(v) - expected) / expected, `${key}: fixed ${v} vs float bound ${expected}`).toBeLessThan(2e-3);
      if (report.peaks.get(key)! > 1) expect(Math.abs(v) / FS, `${key} uses the range`).toBeGreaterThan(0.99);
    }
  });
});

describe('accuracy against the float design', () => {
  it('each output of the crossover is within 100 dB SNR of the float simulation (random input at -6 dBFS)', () => {
    const { program } = quantizeGraph(crossover);
    const n = 48000;
    const r = prng(7);
    const inputs = crossover.inputs.map(() => Int32Array.from({ length: n }, () => (r() | 0) >> 1));
    const fixed = runProgram(program, inputs).outputs;
    const float = simulateFloat(crossover, inputs.map((x) => Float64Array.from(x, (v) => v / FS))).outputs;
    program.outputs.forEach((o, k) => {
      let sig = 0, err = 0;
      for (let i = 0; i < n; i++) {
        const ref = float[k][i] * o.scale;
        const e = fixed[k][i] / FS - ref;
        sig += ref * ref;
        err += e * e;
      }
      const snr = 10 * Math.log10(sig / err);
      expect(snr, `${o.name} SNR`).toBeGreaterThan(100);
    });
  });

  it('error feedback lowers the low-frequency rounding noise of a 25 Hz low-pass by more than 10 dB', () => {
    const make = (ef: boolean): FloatGraph => ({
      name: 'ef', sampleRate: 48000, blockSize: 48, inputs: ['x'],
      blocks: [{ kind: 'biquad', id: 'lp', inputs: [{ input: 0 }], sos: [lowpassBiquad(25, 48000)], errorFeedback: ef }],
      outputs: [{ name: 'y', source: { block: 'lp', channel: 0 } }],
    });
    const n = 96000;
    const x = Int32Array.from({ length: n }, (_, i) => Math.round(Math.sin((2 * Math.PI * 20 * i) / 48000) * 2 ** 20));
    const float = simulateFloat(make(true), [Float64Array.from(x, (v) => v / FS)]).outputs[0];
    const noise = (ef: boolean) => {
      const { program } = quantizeGraph(make(ef));
      expect((program.blocks[0] as { errorFeedback: boolean[] }).errorFeedback).toEqual([ef]);
      const y = runProgram(program, [x]).outputs[0];
      let e2 = 0;
      for (let i = n / 2; i < n; i++) e2 += (y[i] / FS - float[i] * program.outputs[0].scale) ** 2;
      return e2;
    };
    const gainDb = 10 * Math.log10(noise(false) / noise(true));
    expect(gainDb).toBeGreaterThan(10);
  });
});
