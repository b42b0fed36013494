// A noise-suppressor design becomes a one-block fixed-point program: mono Q31 in and out, in
// 480-sample hops, with the network quantized into its int8 tables.
import type { NoiseSuppressorDesign } from '../../designfile/noiseSuppressorDesign.ts';
import type { FixedProgram } from '../program.ts';
import { type QuantizedNetwork, quantizeNetwork } from './network.ts';
import { HOP_SAMPLES } from './spectral.ts';
import type { NsFloatWeights } from './weights.ts';

export interface NoiseSuppressorProgram {
  program: FixedProgram;
  network: QuantizedNetwork;
}

export function noiseSuppressorProgram(name: string, d: NoiseSuppressorDesign, weights: NsFloatWeights, weightsLabel: string): NoiseSuppressorProgram {
  const network = quantizeNetwork(weights, weightsLabel);
  const q15 = (v: number) => Math.max(0, Math.min(32767, Math.round(v * 32768)));
  const program: FixedProgram = {
    name,
    sampleRate: d.sampleRate,
    blockSize: HOP_SAMPLES,
    inputs: ['noisy'],
    blocks: [
      {
        kind: 'noiseSuppressor',
        id: 'ns',
        inputs: [{ input: 0 }],
        network: {
          weights: Array.from(network.weights),
          params: Array.from(network.params),
          actTables: Array.from(network.actTables),
          weightCount: network.weightCount,
        },
        gainFloorQ15: q15(10 ** (d.gainFloorDb / 20)),
        postFilter: d.postFilter,
        voicingThresholdQ15: q15(d.voicingThreshold),
      },
    ],
    outputs: [{ name: 'enhanced', source: { block: 'ns', channel: 0 }, scale: 1 }],
  };
  return { program, network };
}
