// Which vectors verify a program: the standard random and adversarial set, or, for a program
// with a noise suppressor, speech in noise plus the adversarial segments (speech.ts).
import type { FixedProgram } from '../fixed/program.ts';
import { noiseSuppressorVectors } from './speech.ts';
import { segmentAt, testVectors } from './vectors.ts';

export interface VectorSet {
  inputs: Int32Array[];
  /** Name of the segment a frame belongs to (for mismatch reports). */
  segmentAt(frame: number): string;
}

export function defaultVectors(program: FixedProgram): VectorSet {
  if (program.blocks.some((b) => b.kind === 'noiseSuppressor')) {
    const { samples, segments } = noiseSuppressorVectors(program.sampleRate);
    return {
      inputs: Array.from({ length: program.inputs.length }, () => samples),
      segmentAt: (frame) => segmentAt(frame, segments),
    };
  }
  return { inputs: testVectors(program.inputs.length), segmentAt };
}
