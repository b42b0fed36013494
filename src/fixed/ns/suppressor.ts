// The noise suppressor's glue between the front end and the network, in integers: the feature
// vector the network reads, the perceptual post-filter on its band gains, and the per-bin gain
// that mixes the pitch comb in by the network's strengths. The C twin is
// src/fixed/blocks/ns/suppressor.c; the two must agree bit for bit.
//
// Integer semantics (round-half-up everywhere: floor((v + 2^(s-1)) / 2^s)):
//   features (Q12, int16), 70 of them:
//     [0, 34)   band log-energy: sat16((logE_Q8 - LOG_ENERGY_CENTRE_Q8) * 2) (Q8.8 log2 -> Q12 / 8,
//               i.e. one feature unit = 8 octaves of energy = 24 dB)
//     [34, 68)  band comb correlation: rho_Q15 >> 3 (round half up)
//     68        pitch correlation: corr_Q15 >> 3 (round half up), 0 when unvoiced
//     69        pitch period: (T - 384) * 8 (T in 48 kHz samples, 60..768), 0 when unvoiced
//   post-filter (PercepNet's envelope post-filter, attenuating bands whose gain stays low):
//     g' = floor((g * S(g) + 2^14) / 2^15), S(g) = sin(pi/2 * g) from a 257-entry Q15 table with
//     linear interpolation: i = g >> 7, f = g & 127, S = T[i] + floor(((T[i+1]-T[i]) * f + 64) / 128)
//   floor: g'' = max(g', gainFloorQ15)
//   per-bin gain: mix = clamp(32768 - r + floor((r * C + 2^14) / 2^15), 0, 32767),
//                 G = floor((g * mix + 2^14) / 2^15), g, r, C per bin (Q15).
import { INT16_MAX, sat16 } from '../arith.ts';

export const NS_BANDS = 34;
export const NS_FEATURES = 2 * NS_BANDS + 2;
/** Log2 band energy (Q8.8) mapped to feature 0. */
export const LOG_ENERGY_CENTRE_Q8 = 30 * 256;
/** Period mapped to feature 0. */
export const PERIOD_CENTRE = 384;
export const POST_FILTER_TABLE_ENTRIES = 257;

/** sin(pi/2 * x) at x = i / 256, Q15 (32767 at 1). */
export function postFilterTable(): Int16Array {
  return Int16Array.from({ length: POST_FILTER_TABLE_ENTRIES }, (_, i) => Math.min(INT16_MAX, Math.round(32768 * Math.sin((Math.PI / 2) * (i / 256)))));
}

export interface FeatureInputs {
  logEnergyQ8: ArrayLike<number>;
  combCorrelationQ15: ArrayLike<number>;
  /** 0 when the frame is unvoiced. */
  periodSamples: number;
  pitchCorrelationQ15: number;
}

/** The network's input vector (Q12), written into `out` (NS_FEATURES words). */
export function nsFeatures(f: FeatureInputs, out: Int16Array): Int16Array {
  for (let b = 0; b < NS_BANDS; b++) {
    out[b] = sat16((f.logEnergyQ8[b] - LOG_ENERGY_CENTRE_Q8) * 2);
    out[NS_BANDS + b] = (f.combCorrelationQ15[b] + 4) >> 3;
  }
  const voiced = f.periodSamples > 0;
  out[2 * NS_BANDS] = voiced ? (f.pitchCorrelationQ15 + 4) >> 3 : 0;
  out[2 * NS_BANDS + 1] = voiced ? (f.periodSamples - PERIOD_CENTRE) * 8 : 0;
  return out;
}

/** Post-filter (when enabled) and gain floor on the network's band gains, in place. */
export function shapeBandGains(gainsQ15: Int16Array, table: Int16Array, postFilter: boolean, gainFloorQ15: number): Int16Array {
  for (let b = 0; b < gainsQ15.length; b++) {
    let g = gainsQ15[b];
    if (postFilter) {
      const i = g >> 7;
      const s = table[i] + Math.floor(((table[i + 1] - table[i]) * (g & 127) + 64) / 128);
      g = Math.floor((g * s + 16384) / 32768);
    }
    gainsQ15[b] = g < gainFloorQ15 ? gainFloorQ15 : g;
  }
  return gainsQ15;
}

/** Per-bin gain from interpolated band gains g, comb strengths r and the comb response C. */
export function binGainsQ15(g: Int16Array, r: Int16Array, comb: Int16Array, out: Int16Array): Int16Array {
  for (let k = 0; k < out.length; k++) {
    let mix = 32768 - r[k] + Math.floor((r[k] * comb[k] + 16384) / 32768);
    mix = mix > INT16_MAX ? INT16_MAX : mix < 0 ? 0 : mix;
    out[k] = Math.floor((g[k] * mix + 16384) / 32768);
  }
  return out;
}
