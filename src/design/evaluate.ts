// Everything `arrayc eval` reports about a geometry design and a set of channel filters.
import type { Complex } from './complex.ts';
import type { ArrayGeometry, ChannelName } from './geometry.ts';
import {
  type BeamResult,
  type ChannelResponses,
  type RobustnessResult,
  type SeparationResult,
  SEPARATION_BANDS,
  bandGrid,
  beamMetrics,
  maxFilterGainDb,
  plainPlayback,
  robustness,
  separation,
  thirdOctaveBands,
} from './metrics.ts';
import { type HeadModel, headModelLabel } from './plant.ts';

/** Filters as a function of frequency, so each metric can sample its own grid. */
export type ChannelFilterFn = (freqsHz: number[]) => ChannelResponses;

export interface EvalReport {
  design: string;
  headModel: string;
  filters: string;
  ctc: {
    separationMedianDb: number;
    worstOffsetDb: number;
    worstOffsetPose: string;
    bandsDb: { hz: number; db: number }[];
    channelsDb: { L: number[]; R: number[] };
    robustness: RobustnessResult['poses'];
  };
  /** Judged with omnidirectional point sources; also with the piston directivity model. */
  beam?: BeamResult & { withDriverDirectivity: Omit<BeamResult, 'pattern'> };
  effort: { maxFilterGainDb: number; limitDb: number };
  /** For designed filters: modelling delay, latency, FIR lengths and realization errors. */
  realization?: import('./spatial.ts').RealizationSummary;
}

export function plainPlaybackFilters(g: ArrayGeometry): ChannelFilterFn {
  return (freqs) => plainPlayback(g, freqs);
}

export function evaluateDesign(g: ArrayGeometry, filters: ChannelFilterFn, filtersLabel: string, head: HeadModel): EvalReport {
  const sepFreqs = bandGrid(SEPARATION_BANDS);
  const nominal: SeparationResult = separation(g, filters(sepFreqs), head);
  const rob = robustness(g, filters(sepFreqs), head);
  const report: EvalReport = {
    design: g.name,
    headModel: headModelLabel(head),
    filters: filtersLabel,
    ctc: {
      separationMedianDb: nominal.medianDb,
      worstOffsetDb: rob.worstDb,
      worstOffsetPose: rob.worstPose,
      bandsDb: nominal.bandsDb,
      channelsDb: nominal.channels,
      robustness: rob.poses,
    },
    effort: { maxFilterGainDb: 0, limitDb: g.effortLimitDb },
  };
  let effortFreqs = sepFreqs;
  if (g.beam) {
    const bands = thirdOctaveBands(g.beam.bandHz[0], g.beam.bandHz[1]);
    const beamFreqs = bandGrid(bands);
    const c = filters(beamFreqs).C;
    if (c) {
      const omni = beamMetrics(g, c, bands, true);
      const { pattern: _p, ...piston } = beamMetrics(g, c, bands, false);
      report.beam = { ...omni, withDriverDirectivity: piston };
    }
    effortFreqs = [...sepFreqs, ...beamFreqs];
  }
  report.effort.maxFilterGainDb = maxFilterGainDb(filters(effortFreqs));
  return report;
}

export type { ChannelName, Complex };
