// Noise floor of each output of a fixed-point program when its input is silent: from reset
// (digital silence in, what comes out) and after a burst of full-scale noise has stopped (what
// rounding leaves ringing: limit cycles, error-feedback residue), through the bit-exact reference.
import type { FixedProgram } from './program.ts';
import { ReferenceRunner } from './reference.ts';
import { prng } from '../toolchain/vectors.ts';

export interface IdleNoise {
  output: string;
  /** RMS of the output with silent input from reset, dBFS (-Infinity: exact digital silence). */
  fromResetDbfs: number;
  /** RMS over the last `windowS` of `idleS` seconds of silence after `burstS` of full-scale noise, dBFS. */
  afterSignalDbfs: number;
  /** Largest |sample| in that window, in LSB. */
  afterSignalPeakLsb: number;
}

export function idleNoise(program: FixedProgram, burstS = 0.5, idleS = 0.5, windowS = 0.25): IdleNoise[] {
  const fs = program.sampleRate;
  const bs = program.blockSize;
  const dbfs = (sumSq: number, n: number) => (sumSq === 0 ? -Infinity : 10 * Math.log10(sumSq / n / 2 ** 62));
  const run = (withBurst: boolean) => {
    const runner = new ReferenceRunner(program);
    const rand = prng(11);
    const block = program.inputs.map(() => new Int32Array(bs));
    const burstBlocks = withBurst ? Math.ceil((burstS * fs) / bs) : 0;
    const idleBlocks = Math.ceil((idleS * fs) / bs);
    const windowBlocks = Math.ceil((windowS * fs) / bs);
    const sumSq = program.outputs.map(() => 0);
    const peak = program.outputs.map(() => 0);
    for (let k = 0; k < burstBlocks + idleBlocks; k++) {
      for (const b of block) for (let i = 0; i < bs; i++) b[i] = k < burstBlocks ? rand() | 0 : 0;
      const outs = runner.processBlock(block, bs);
      if (k >= burstBlocks + idleBlocks - windowBlocks) {
        outs.forEach((y, o) => {
          for (let i = 0; i < bs; i++) {
            sumSq[o] += y[i] * y[i];
            peak[o] = Math.max(peak[o], Math.abs(y[i]));
          }
        });
      }
    }
    return { sumSq, peak, n: windowBlocks * bs };
  };
  const quiet = run(false);
  const after = run(true);
  return program.outputs.map((o, k) => ({
    output: o.name,
    fromResetDbfs: dbfs(quiet.sumSq[k], quiet.n),
    afterSignalDbfs: dbfs(after.sumSq[k], after.n),
    afterSignalPeakLsb: after.peak[k],
  }));
}
