// One hop of the noise suppressor in integers (the semantics of blocks/noiseSuppressor.ts), with
// what happened inside it: the reference executor and the report's analysis share this.
import type { NoiseSuppressorBlock } from '../program.ts';
import { type QuantizedNetwork, createNetworkRunner } from './network.ts';
import { createPitchState, pitchAnalyzeHop, pitchTables } from './pitch.ts';
import {
  FRAME_SAMPLES,
  HOP_SAMPLES,
  NUM_BINS,
  applyBinGainsQ15,
  bandFeatures,
  combResponseQ15,
  forwardSpectrum,
  interpolateBandGainsQ15,
  spectralTables,
  synthesizeHop,
} from './spectral.ts';
import { NS_FEATURES, binGainsQ15, nsFeatures, postFilterTable, shapeBandGains } from './suppressor.ts';

export interface HopTrace {
  /** Period used for the comb (0: unvoiced) and the tracker's correlation (Q15). */
  periodSamples: number;
  pitchCorrelationQ15: number;
  features: Int16Array;
  /** The network's raw band gains and comb strengths (Q15). */
  gainsQ15: Int16Array;
  strengthsQ15: Int16Array;
  /** Band gains after the post-filter and floor (Q15). */
  shapedGainsQ15: Int16Array;
  logEnergyQ8: Int16Array;
}

export interface SuppressorCore {
  /** One hop: 480 int16 samples in, 480 out (one hop late). */
  hop(x16: Int16Array, y16: Int16Array): HopTrace;
}

/** The network tables of a block as the runner takes them. */
export function blockNetwork(b: NoiseSuppressorBlock): QuantizedNetwork {
  return {
    weights: Int8Array.from(b.network.weights),
    params: Int32Array.from(b.network.params),
    actTables: Int16Array.from(b.network.actTables),
  } as QuantizedNetwork;
}

export function createSuppressorCore(b: NoiseSuppressorBlock): SuppressorCore {
  const t = spectralTables();
  const pt = pitchTables();
  const pf = postFilterTable();
  const pitchState = createPitchState();
  const net = createNetworkRunner(blockNetwork(b));
  const frame = new Int16Array(FRAME_SAMPLES);
  const ola = new Int32Array(HOP_SAMPLES);
  const G = new Int16Array(NUM_BINS);
  return {
    hop(x16, y16) {
      frame.copyWithin(0, HOP_SAMPLES);
      frame.set(x16, FRAME_SAMPLES - HOP_SAMPLES);
      const X = forwardSpectrum(frame, t);
      const pitch = pitchAnalyzeHop(x16, pitchState, pt);
      const voiced = pitch.periodSamples > 0 && pitch.correlationQ15 >= b.voicingThresholdQ15;
      const period = voiced ? pitch.periodSamples : 0;
      const C = combResponseQ15(period, t);
      const bf = bandFeatures(X, C, t);
      const features = nsFeatures({ logEnergyQ8: bf.logEnergyQ8, combCorrelationQ15: bf.combCorrelationQ15, periodSamples: period, pitchCorrelationQ15: pitch.correlationQ15 }, new Int16Array(NS_FEATURES));
      const out = net.step(features);
      const gainsQ15 = Int16Array.from(out.gainsQ15);
      const strengthsQ15 = Int16Array.from(out.strengthsQ15);
      const shaped = shapeBandGains(Int16Array.from(gainsQ15), pf, b.postFilter, b.gainFloorQ15);
      binGainsQ15(interpolateBandGainsQ15(shaped, t), interpolateBandGainsQ15(strengthsQ15, t), C, G);
      y16.set(synthesizeHop(applyBinGainsQ15(X, G), ola, t));
      return { periodSamples: period, pitchCorrelationQ15: pitch.correlationQ15, features, gainsQ15, strengthsQ15, shapedGainsQ15: shaped, logEnergyQ8: bf.logEnergyQ8 };
    },
  };
}
