// Stereo virtualizer: one virtual loudspeaker at azimuth theta rendered to the two ears as
//   ipsilateral ear   <- ipsiSos (an all-pass cascade)
//   contralateral ear <- z^-contraDelaySamples x contraSos (a minimum-phase head-shadow low-pass)
// so that the ratio of the two paths approximates the rigid-sphere relative HRTF
//   G(f) = H_contra(theta, f) / H_ipsi(theta, f)
// (sphereHrtf, Duda & Martens; e^{+j omega t}, a delay tau is e^{-j omega tau}). The ipsilateral
// path has an exactly flat magnitude, so the tonal balance of the near ear is left untouched; all
// of the interaural level difference sits in the contralateral low-pass.
//
// Geometry (listener frame of ./geometry.ts: +x ahead, +y left, azimuth counter-clockwise): the
// ears are at +/-90 degrees, so the ear facing the source sees incidence acos(|sin theta|), the
// other acos(-|sin theta|). The design depends on |sin theta| only: -theta (and the front-back
// mirror 180 - theta) give the same filters; for sin theta < 0 the ipsilateral ear is the right one
// and the caller swaps the ears (report.ipsilateralEar says which).
//
// Fit, in two stages (deterministic: fixed grids, fixed starting points, no randomness):
//
// 1. Contralateral magnitude. Least squares on 20 log10 |C(f)| - 20 log10 |G(f)| over a log grid
//    50 Hz .. 8 kHz (24 points per octave), plus lightly weighted (0.1) continuations 5 .. 50 Hz
//    and 8 kHz .. min(0.45 fs, 20 kHz), so that nothing outside the band is left unconstrained (a
//    shelf hidden below 50 Hz would add group delay at low frequency). C is a gain times a cascade
//    of biquads; each numerator and denominator 1 + c1 z^-1 + c2 z^-2 is parameterized by two
//    reflection (Schur-Cohn) coefficients of the polynomial scaled to radius MAX_ROOT_RADIUS, so
//    every pole and zero has radius < 0.998 for any parameter value: stable and minimum phase by
//    construction, real or complex roots alike. Levenberg-Marquardt (analytic Jacobian) starts
//    from the Brown-Duda relative shelf (1 + s alpha_c a/2c) / (1 + s alpha_i a/2c) (bilinear
//    transform, alpha from brownDudaAlpha). Further sections are added greedily: each new section
//    starts as an RBJ peaking section undoing one of the three largest error peaks (Q 0.7 or 2,
//    seeded from the least-squares or the minimax solution; the best of the 12 kept) and all
//    sections are then refined jointly. Each section count ends with 8 Lawson iterations
//    (weights x |error|, the best iterate kept) toward the minimax solution. Sections are added
//    while the max error exceeds 0.5 dB, up to maxContraSections.
//
// 2. Delay and all-pass. The model's relative delay is defined as the low-frequency group delay
//      tauModel = lim_{f->0} -d arg G(f) / d omega
//    (= sphereItdS at 0 Hz, ~ 3 (a/c) sin theta for a far source; Kuhn 1977). With C fixed, the
//    realized path ratio z^-D C(z) / A(z) has group delay D + tauC(f) - tauA(f), so the excess
//    tauEx(f) = tauG(f) - tauC(f) is what the integer delay and the all-pass must supply:
//      D - tauA(f) ~ tauEx(f)   least squares on the 50 Hz .. 8 kHz grid (point group delays of
//                               the model by central differences),
//      D - tauA(0) = tauEx(0)   exactly, so the low-frequency delay is matched: the fractional
//                               part of the delay is carried by the all-pass (Thiran-like).
//    A is empty, first order (a + z^-1)/(1 + a z^-1) or second order (numerator = reversed
//    denominator); the equality leaves the first order no freedom and the second one (see
//    fitDelayAllpass). D runs over the integers from tauEx(0) up to max tauEx + 3; the lowest cost
//    wins, a higher order only if it lowers the cost by 5 %. Because the all-pass is in the
//    ipsilateral path it subtracts its group delay (>= 0) from the relative delay.
//
//    What the structure cannot do: a low-order all-pass adds group delay only in lumps of area
//    pi per order, so it cannot reproduce the model's small (+-2..5 sample) group-delay ripple at
//    0.2 .. 2 kHz (the creeping-wave interference, and the difference between the model's excess
//    phase and that of the minimum-phase C); that residual is reported (group and phase delay).
//
// The report measures the result on a denser grid (48 points per octave).
import { sosResponse } from './filters.ts';
import { type Sos, maxPoleRadius, sectionPoles } from './graph.ts';
import { DEFAULT_SPEED_OF_SOUND, brownDudaAlpha, sphereHrtf, sphereItdS } from './head/sphere.ts';

export const DEFAULT_HEAD_RADIUS_M = 0.0875;
export const DEFAULT_MAX_CONTRA_SECTIONS = 3;
/** Band where the contralateral magnitude and the dispersion are fitted and reported. */
export const VIRTUALIZER_FIT_BAND_HZ: readonly [number, number] = [50, 8000];
/** Sections are added until the contralateral magnitude error is below this. */
const TARGET_MAX_ERROR_DB = 0.5;
/**
 * Root-radius bound of every fitted pole and zero (contra sections and all-pass). With it a corner
 * can still go down to ~15 Hz at 48 kHz, and no near-cancelling pole-zero pair (tiny in
 * magnitude, huge in group delay) or zero can sit on the unit circle.
 */
export const MAX_ROOT_RADIUS = 0.998;
/** Reflection coefficients of the radius-scaled polynomial stay below this (numerical margin). */
const RHO = 0.9999;

export interface VirtualizerParams {
  /** Azimuth of the virtual loudspeaker, counter-clockwise from straight ahead (+30 = front left). */
  angleDeg: number;
  /** Rigid-sphere head radius; default 0.0875 m. */
  headRadiusM?: number;
  sampleRate: number;
  /** Default 343 m/s. */
  speedOfSoundMps?: number;
  /** Source distance from the head centre; default Infinity (plane wave). Must exceed headRadiusM. */
  sourceDistanceM?: number;
  /** Upper bound on the contralateral biquads; default 3. */
  maxContraSections?: number;
}

export interface VirtualizerReport {
  /** Ear that gets ipsiSos: 'left' for sin(angle) >= 0 (a source on the left, or straight ahead/behind), else 'right'. */
  ipsilateralEar: 'left' | 'right';
  /** Max | 20 log10 |contra path| - 20 log10 |G| | over 50 Hz .. 8 kHz (48 points per octave). */
  maxMagnitudeErrorDb: number;
  rmsMagnitudeErrorDb: number;
  /** Low-frequency group delay of G (the model's relative delay tauModel), samples. */
  modelDelaySamples: number;
  /** Low-frequency group delay of (contra path) / (ipsi path), samples. */
  realizedDelaySamples: number;
  /** realizedDelaySamples - modelDelaySamples. */
  delayErrorSamples: number;
  /** RMS and max of (realized - model) group delay over 50 Hz .. 1.5 kHz (fine-structure ITD band), samples. */
  groupDelayRmsErrorLowBandSamples: number;
  groupDelayMaxErrorLowBandSamples: number;
  /** RMS of (realized - model) group delay over the whole fit band 50 Hz .. 8 kHz, samples. */
  groupDelayRmsErrorSamples: number;
  /**
   * Max |realized - model| phase delay (-unwrapped phase / omega) over 50 Hz .. 1.5 kHz, samples:
   * the error of the interaural phase difference, the fine-structure ITD cue.
   */
  phaseDelayMaxErrorLowBandSamples: number;
  /** Max | 20 log10 |ipsi path| | over 0 .. fs/2. */
  allpassRippleDb: number;
  /** tauModel in seconds: the model's low-frequency ITD. */
  itdSeconds: number;
  contraSections: number;
  /** 0, 1 or 2. */
  allpassOrder: number;
  /** Largest pole radius of all sections (ipsi and contra). */
  maxPoleRadius: number;
  /** Largest zero radius of the contra sections (< 1: minimum phase). */
  maxContraZeroRadius: number;
  fitBandHz: [number, number];
}

export interface VirtualizerDesign {
  ipsiSos: Sos[];
  contraSos: Sos[];
  contraDelaySamples: number;
  report: VirtualizerReport;
}

// ---------------------------------------------------------------------------------------------
// Small numerics.

/** Solve M x = b (M n x n, row-major arrays) by Gaussian elimination with partial pivoting. */
function solveLinear(m: number[][], b: number[]): number[] | null {
  const n = b.length;
  const a = m.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    if (!(Math.abs(a[piv][col]) > 1e-300)) return null;
    [a[col], a[piv]] = [a[piv], a[col]];
    for (let r = col + 1; r < n; r++) {
      const f = a[r][col] / a[col][col];
      if (f === 0) continue;
      for (let k = col; k <= n; k++) a[r][k] -= f * a[col][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x.every(Number.isFinite) ? x : null;
}

const sumSq = (r: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i] * r[i];
  return s;
};

/**
 * Levenberg-Marquardt on sum r(x)^2 with Marquardt's diagonal scaling; jacobian(x) gives the
 * columns dr/dx_j. Returns the best point found and its cost.
 */
function levenbergMarquardt(
  residual: (x: number[]) => Float64Array,
  x0: number[],
  jacobian: (x: number[]) => Float64Array[],
  maxIter = 200,
): { x: number[]; cost: number } {
  let x = [...x0];
  let r = residual(x);
  let cost = sumSq(r);
  let lambda = 1e-3;
  const n = x.length;
  if (n === 0) return { x, cost };
  for (let iter = 0; iter < maxIter; iter++) {
    const cols = jacobian(x);
    const jtj: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const jtr = new Array<number>(n).fill(0);
    for (let p = 0; p < n; p++) {
      for (let q = p; q < n; q++) {
        let s = 0;
        for (let i = 0; i < r.length; i++) s += cols[p][i] * cols[q][i];
        jtj[p][q] = s;
        jtj[q][p] = s;
      }
      let s = 0;
      for (let i = 0; i < r.length; i++) s += cols[p][i] * r[i];
      jtr[p] = s;
    }
    let improved = false;
    for (let tries = 0; tries < 12 && !improved; tries++) {
      const m = jtj.map((row, p) => row.map((v, q) => (p === q ? v + lambda * (v + 1e-12) + 1e-15 : v)));
      const step = solveLinear(m, jtr.map((v) => -v));
      if (step) {
        const xn = x.map((v, j) => v + step[j]);
        const rn = residual(xn);
        const cn = sumSq(rn);
        if (Number.isFinite(cn) && cn < cost) {
          const rel = (cost - cn) / Math.max(cost, 1e-300);
          x = xn;
          r = rn;
          cost = cn;
          lambda = Math.max(lambda / 4, 1e-12);
          improved = true;
          if (rel < 1e-12) return { x, cost };
          break;
        }
      }
      lambda *= 8;
    }
    if (!improved) break;
  }
  return { x, cost };
}

// ---------------------------------------------------------------------------------------------
// Parameterizations.

const toK = (u: number): number => RHO * Math.tanh(u);
const fromK = (k: number): number => Math.atanh(Math.max(-RHO * 0.999999, Math.min(RHO * 0.999999, k)) / RHO);

/**
 * Monic 1 + c1 z^-1 + c2 z^-2 from parameters u1, u2: the polynomial 1 + c1' z^-1 + c2' z^-2 with
 * reflection coefficients k = RHO tanh(u) (c1' = k1 (1 + k2), c2' = k2; Schur-Cohn: roots inside
 * the unit circle, real or complex) scaled by R = MAX_ROOT_RADIUS (c1 = R c1', c2 = R^2 c2'), so
 * every root has radius < R for any u.
 */
function polyFromParams(u1: number, u2: number): [number, number] {
  const k1 = toK(u1), k2 = toK(u2);
  const r = MAX_ROOT_RADIUS;
  return [r * k1 * (1 + k2), r * r * k2];
}

/** Inverse of polyFromParams (roots beyond the bound are pulled inside). */
function paramsFromPoly(c1: number, c2: number): [number, number] {
  const r = MAX_ROOT_RADIUS;
  const k2 = c2 / (r * r);
  const k1 = c1 / r / (1 + k2);
  return [fromK(k1), fromK(k2)];
}

interface Grid {
  freqsHz: number[];
  fs: number;
  cos1: Float64Array;
  sin1: Float64Array;
  cos2: Float64Array;
  sin2: Float64Array;
}

function makeGrid(freqsHz: number[], fs: number): Grid {
  const w = freqsHz.map((f) => (2 * Math.PI * f) / fs);
  return {
    freqsHz,
    fs,
    cos1: Float64Array.from(w, Math.cos),
    sin1: Float64Array.from(w, Math.sin),
    cos2: Float64Array.from(w, (v) => Math.cos(2 * v)),
    sin2: Float64Array.from(w, (v) => Math.sin(2 * v)),
  };
}

/** 10 log10 |1 + c1 e^{-jw} + c2 e^{-2jw}|^2 on the grid, added (sign +1) or subtracted into out. */
function addPolyDb(g: Grid, c1: number, c2: number, sign: number, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) {
    const re = 1 + c1 * g.cos1[i] + c2 * g.cos2[i];
    const im = c1 * g.sin1[i] + c2 * g.sin2[i];
    out[i] += sign * 10 * Math.log10(re * re + im * im);
  }
}

/** Contra parameter vector: [ln gain, (u1, u2, v1, v2) per section] -> Sos[] (gain in section 0). */
function contraSosFromParams(x: number[]): Sos[] {
  const g = Math.exp(x[0]);
  const out: Sos[] = [];
  for (let s = 0; 1 + 4 * s < x.length; s++) {
    const [c1, c2] = polyFromParams(x[1 + 4 * s], x[2 + 4 * s]);
    const [d1, d2] = polyFromParams(x[3 + 4 * s], x[4 + 4 * s]);
    const k = s === 0 ? g : 1;
    out.push([k, k * c1, k * c2, 1, d1, d2]);
  }
  return out;
}

/**
 * d(contraDb)/dx_j for every parameter: ln gain -> 20/ln 10; u1, u2 (numerator) and v1, v2
 * (denominator) through c1 = R k1 (1 + k2), c2 = R^2 k2, k = RHO tanh(u) (see polyFromParams).
 */
function contraDbJacobian(g: Grid, x: number[]): Float64Array[] {
  const m = g.freqsHz.length;
  const cols: Float64Array[] = [new Float64Array(m).fill(20 / Math.LN10)];
  const dbScale = 20 / Math.LN10; // d(10 log10 |P|^2) = (10 / ln 10) d|P|^2 / |P|^2, |P|^2' = 2 (re re' + im im')
  for (let s = 0; 1 + 4 * s < x.length; s++) {
    for (const [off, sign] of [[1, 1], [3, -1]] as const) {
      const t1 = Math.tanh(x[off + 4 * s]), t2 = Math.tanh(x[off + 1 + 4 * s]);
      const k1 = RHO * t1, k2 = RHO * t2;
      const dk1 = RHO * (1 - t1 * t1), dk2 = RHO * (1 - t2 * t2);
      const r = MAX_ROOT_RADIUS;
      const c1 = r * k1 * (1 + k2), c2 = r * r * k2;
      const du1 = new Float64Array(m), du2 = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        const re = 1 + c1 * g.cos1[i] + c2 * g.cos2[i];
        const im = c1 * g.sin1[i] + c2 * g.sin2[i];
        const inv = (sign * dbScale) / (re * re + im * im);
        const dc1 = inv * (re * g.cos1[i] + im * g.sin1[i]);
        const dc2 = inv * (re * g.cos2[i] + im * g.sin2[i]);
        du1[i] = dc1 * r * dk1 * (1 + k2);
        du2[i] = (dc1 * r * k1 + dc2 * r * r) * dk2;
      }
      cols.push(du1, du2);
    }
  }
  // Order: [gain, u1, u2, v1, v2, ...] as in the parameter vector.
  return cols;
}

function contraDb(g: Grid, x: number[]): Float64Array {
  const out = new Float64Array(g.freqsHz.length).fill((20 / Math.LN10) * x[0]);
  for (let s = 0; 1 + 4 * s < x.length; s++) {
    const [c1, c2] = polyFromParams(x[1 + 4 * s], x[2 + 4 * s]);
    const [d1, d2] = polyFromParams(x[3 + 4 * s], x[4 + 4 * s]);
    addPolyDb(g, c1, c2, 1, out);
    addPolyDb(g, d1, d2, -1, out);
  }
  return out;
}

/** Group delay (samples) of the polynomial sum_k p_k z^-k at normalized frequency w. */
function polyGroupDelay(p: readonly number[], w: number): number {
  let nr = 0, ni = 0, dr = 0, di = 0;
  p.forEach((pk, k) => {
    const c = Math.cos(w * k), s = -Math.sin(w * k);
    dr += pk * c;
    di += pk * s;
    nr += k * pk * c;
    ni += k * pk * s;
  });
  // Re(N / D)
  return (nr * dr + ni * di) / (dr * dr + di * di);
}

/** Group delay (samples) of a cascade at normalized frequency w (rad/sample). */
export function sosGroupDelaySamples(sos: readonly Sos[], w: number): number {
  let gd = 0;
  for (const [b0, b1, b2, a0, a1, a2] of sos) gd += polyGroupDelay([b0, b1, b2], w) - polyGroupDelay([a0, a1, a2], w);
  return gd;
}

/** Continuous phase of p0 + p1 e^{-jw} + p2 e^{-2jw} with its roots inside |z| < 1: in (-pi, pi). */
function polyPhase(p0: number, p1: number, p2: number, w: number): number {
  return Math.atan2(-p1 * Math.sin(w) - p2 * Math.sin(2 * w), p0 + p1 * Math.cos(w) + p2 * Math.cos(2 * w));
}

/** Continuous phase (from 0 Hz) of a cascade whose numerators and denominators are all minimum phase. */
function minPhaseCascadePhase(sos: readonly Sos[], w: number): number {
  let ph = 0;
  for (const [b0, b1, b2, a0, a1, a2] of sos) ph += polyPhase(b0, b1, b2, w) - polyPhase(a0, a1, a2, w);
  return ph;
}

/**
 * Continuous phase (from 0 Hz) of an all-pass cascade of allpassSection's: order N sections
 * z^-N D(1/z) / D(z) have phase -N w - 2 arg D.
 */
function allpassCascadePhase(sos: readonly Sos[], w: number): number {
  let ph = 0;
  for (const [, , b2, a0, a1, a2] of sos) ph += (b2 === 0 ? -w : -2 * w) - 2 * polyPhase(a0, a1, a2, w);
  return ph;
}

/**
 * One all-pass section with denominator 1 + d1 z^-1 + d2 z^-2 and the reversed denominator as
 * numerator: first order (a + z^-1) / (1 + a z^-1) with a = d1, or second order.
 */
function allpassSection(order: 1 | 2, d1: number, d2: number): Sos {
  return order === 1 ? [d1, 1, 0, 1, d1, 0] : [d2, d1, 1, 1, d1, d2];
}


const wrapPi = (x: number): number => x - 2 * Math.PI * Math.round(x / (2 * Math.PI));

function logGrid(loHz: number, hiHz: number, perOctave: number): number[] {
  const n = Math.max(1, Math.round(Math.log2(hiHz / loHz) * perOctave));
  return Array.from({ length: n + 1 }, (_, i) => loHz * (hiHz / loHz) ** (i / n));
}

// ---------------------------------------------------------------------------------------------
// The model.

interface Model {
  /** G = H_contra / H_ipsi at fHz, as [re, im]. */
  ratio(fHz: number): [number, number];
  /** 20 log10 |G|. */
  db(fHz: number): number;
  /** -d arg G / d omega in seconds (central difference, step 1e-4 f). */
  groupDelayS(fHz: number): number;
}

function sphereModel(radiusM: number, sourceDistanceM: number, lateralRad: number, speedOfSound: number): Model {
  const s = Math.sin(lateralRad);
  const ipsiInc = Math.acos(s), contraInc = Math.acos(-s);
  const ratio = (fHz: number): [number, number] => {
    const hc = sphereHrtf({ radiusM, sourceDistanceM, incidenceRad: contraInc, freqHz: fHz, speedOfSound });
    const hi = sphereHrtf({ radiusM, sourceDistanceM, incidenceRad: ipsiInc, freqHz: fHz, speedOfSound });
    const d = hi.re * hi.re + hi.im * hi.im;
    return [(hc.re * hi.re + hc.im * hi.im) / d, (hc.im * hi.re - hc.re * hi.im) / d];
  };
  return {
    ratio,
    db: (fHz) => {
      const [re, im] = ratio(fHz);
      return 10 * Math.log10(re * re + im * im);
    },
    groupDelayS: (fHz) => {
      const df = 1e-4 * fHz;
      const [r1, i1] = ratio(fHz - df);
      const [r2, i2] = ratio(fHz + df);
      // arg(G2 / G1)
      const dphi = Math.atan2(i2 * r1 - r2 * i1, r2 * r1 + i2 * i1);
      return -dphi / (2 * Math.PI * 2 * df);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Stage 1: contralateral magnitude.

interface ContraFit {
  x: number[];
  maxErrDb: number;
}

function fitContra(g: Grid, targetDb: Float64Array, baseWeights: Float64Array, inBand: boolean[], init: number[], maxSections: number): ContraFit {
  const measure = (x: number[]): { err: Float64Array; maxErr: number } => {
    const y = contraDb(g, x);
    const err = y.map((v, i) => v - targetDb[i]);
    let maxErr = 0;
    err.forEach((e, i) => { if (inBand[i]) maxErr = Math.max(maxErr, Math.abs(e)); });
    return { err, maxErr };
  };
  const lsFit = (x0: number[], w: Float64Array): number[] => {
    const sw = w.map(Math.sqrt);
    return levenbergMarquardt(
      (x) => contraDb(g, x).map((v, i) => sw[i] * (v - targetDb[i])),
      x0,
      (x) => contraDbJacobian(g, x).map((col) => col.map((v, i) => sw[i] * v)),
    ).x;
  };
  /** Lawson-style reweighting toward the minimax error over the band; keeps the best iterate. */
  const minimax = (x0: number[]): ContraFit => {
    let x = x0;
    let best: ContraFit = { x: x0, maxErrDb: measure(x0).maxErr };
    const w = Float64Array.from(baseWeights);
    for (let it = 0; it < 8; it++) {
      const { err } = measure(x);
      let sum = 0, count = 0;
      err.forEach((e, i) => {
        if (inBand[i]) {
          w[i] *= Math.abs(e) + 1e-3;
          sum += w[i];
          count++;
        }
      });
      for (let i = 0; i < w.length; i++) if (inBand[i]) w[i] *= count / sum;
      x = lsFit(x, w);
      const m = measure(x).maxErr;
      if (m < best.maxErrDb) best = { x, maxErrDb: m };
    }
    return best;
  };

  let current = lsFit(init, baseWeights);
  let best = minimax(current);
  // current: the least-squares solution (a seed for more sections); best: the minimax one.
  for (let n = 2; n <= maxSections && best.maxErrDb > TARGET_MAX_ERROR_DB; n++) {
    const { err } = measure(best.x);
    // Candidate centres: the largest local peaks of |error| inside the band.
    const peaks: number[] = [];
    for (let i = 0; i < err.length; i++) {
      if (!inBand[i]) continue;
      const left = i > 0 ? Math.abs(err[i - 1]) : -1, right = i + 1 < err.length ? Math.abs(err[i + 1]) : -1;
      if (Math.abs(err[i]) >= left && Math.abs(err[i]) >= right) peaks.push(i);
    }
    peaks.sort((p, q) => Math.abs(err[q]) - Math.abs(err[p]));
    let bestN: ContraFit | null = null;
    for (const i of peaks.slice(0, 3)) {
      for (const q of [0.7, 2]) {
        for (const seed of [current, best.x]) {
          const f0 = g.freqsHz[i];
          const w0 = (2 * Math.PI * f0) / g.fs;
          const A = 10 ** (-err[i] / 40);
          const alpha = Math.sin(w0) / (2 * q);
          const b0 = 1 + alpha * A, b1 = -2 * Math.cos(w0), b2 = 1 - alpha * A;
          const a0 = 1 + alpha / A, a2 = 1 - alpha / A;
          const [u1, u2] = paramsFromPoly(b1 / b0, b2 / b0);
          const [v1, v2] = paramsFromPoly(b1 / a0, a2 / a0);
          const x0 = [seed[0] + Math.log(b0 / a0), ...seed.slice(1), u1, u2, v1, v2];
          const xl = lsFit(x0, baseWeights);
          const cand = { x: xl, maxErrDb: measure(xl).maxErr };
          if (!bestN || cand.maxErrDb < bestN.maxErrDb) bestN = cand;
        }
      }
    }
    if (!bestN) break;
    const refined = minimax(bestN.x);
    current = bestN.x;
    // A section that does not help is not kept.
    if (refined.maxErrDb < best.maxErrDb - 1e-3) best = refined;
    else break;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Stage 2: integer delay + all-pass dispersion.

interface DelayFit {
  delay: number;
  ap: Sos[];
  /** Mean squared group-delay error over the grid, samples^2. */
  cost: number;
}

/** Group delay (samples) of 1 + d1 z^-1 + d2 z^-2 on the grid. */
function denGroupDelay(g: Grid, d1: number, d2: number, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) {
    const dr = 1 + d1 * g.cos1[i] + d2 * g.cos2[i], di = -d1 * g.sin1[i] - d2 * g.sin2[i];
    const nr = d1 * g.cos1[i] + 2 * d2 * g.cos2[i], ni = -d1 * g.sin1[i] - 2 * d2 * g.sin2[i];
    out[i] = (nr * dr + ni * di) / (dr * dr + di * di);
  }
  return out;
}

/**
 * Integer delay D and all-pass A (order 0, 1 or 2) with D - tauA(f) ~ tauEx(f) in least squares
 * over the grid, subject to the low-frequency equality D - tauA(0) = tauEx0. The equality fixes
 * A's group delay at 0 Hz, g0 = D - tauEx0 (> 0), which leaves no freedom in order 1,
 * a = (1 - g0) / (1 + g0) for (a + z^-1) / (1 + a z^-1), and one in order 2: with h = g0 / 2,
 * tauA(0) = 2 - 2 (d1 + 2 d2) / (1 + d1 + d2) = g0 gives d1 = ((1 - h) - (1 + h) d2) / h, and d2
 * is searched over (-1, 1) (grid, then golden section) inside the stability triangle. Order 0 is
 * a candidate only when tauEx0 is within 0.01 sample of an integer.
 */
function fitDelayAllpass(g: Grid, tauEx: Float64Array, tauEx0: number): DelayFit {
  const m = tauEx.length;
  const tmp = new Float64Array(m);
  const costOf = (delay: number, order: number, tauDen: Float64Array | null): number => {
    let s = 0;
    for (let i = 0; i < m; i++) {
      const tauA = order === 0 ? 0 : order - 2 * tauDen![i];
      const e = delay - tauA - tauEx[i];
      s += e * e;
    }
    return s / m;
  };
  const candidates: DelayFit[][] = [[], [], []];
  const d0 = Math.round(tauEx0);
  if (d0 >= 0 && Math.abs(d0 - tauEx0) <= 0.01) candidates[0].push({ delay: d0, ap: [], cost: costOf(d0, 0, null) });
  let hi = tauEx0;
  for (const t of tauEx) hi = Math.max(hi, t);
  const dFirst = Math.max(0, Math.floor(tauEx0) + 1);
  const dLast = Math.max(dFirst, Math.ceil(hi) + 3);
  for (let delay = dFirst; delay <= dLast; delay++) {
    const g0 = delay - tauEx0;
    if (!(g0 > 0)) continue;
    // Order 1.
    const a = (1 - g0) / (1 + g0);
    if (Math.abs(a) < MAX_ROOT_RADIUS) {
      candidates[1].push({ delay, ap: [allpassSection(1, a, 0)], cost: costOf(delay, 1, denGroupDelay(g, a, 0, tmp)) });
    }
    // Order 2: one free parameter d2.
    const h = g0 / 2;
    const d1Of = (d2: number) => ((1 - h) - (1 + h) * d2) / h;
    const stable = (d2: number) => maxPoleRadius(d1Of(d2), d2) < MAX_ROOT_RADIUS;
    const cost2 = (d2: number) => (stable(d2) ? costOf(delay, 2, denGroupDelay(g, d1Of(d2), d2, tmp)) : Infinity);
    const steps = 200;
    let bestK = -1, bestC = Infinity;
    for (let k = 1; k < steps; k++) {
      const c = cost2(-1 + (2 * k) / steps);
      if (c < bestC) {
        bestC = c;
        bestK = k;
      }
    }
    if (bestK < 0) continue;
    let lo = -1 + (2 * (bestK - 1)) / steps, hiD2 = -1 + (2 * (bestK + 1)) / steps;
    const phi = (Math.sqrt(5) - 1) / 2;
    for (let it = 0; it < 40; it++) {
      const x1 = hiD2 - phi * (hiD2 - lo), x2 = lo + phi * (hiD2 - lo);
      if (cost2(x1) <= cost2(x2)) hiD2 = x2;
      else lo = x1;
    }
    let d2 = (lo + hiD2) / 2;
    if (!(cost2(d2) <= bestC)) d2 = -1 + (2 * bestK) / steps;
    const d1 = d1Of(d2);
    candidates[2].push({ delay, ap: [allpassSection(2, d1, d2)], cost: cost2(d2) });
  }
  let best: DelayFit | null = null;
  for (const list of candidates) {
    const bestOrder = list.reduce<DelayFit | null>((acc, c) => (!acc || c.cost < acc.cost ? c : acc), null);
    // A higher order has to earn its place.
    if (bestOrder && (!best || bestOrder.cost < 0.95 * best.cost)) best = bestOrder;
  }
  if (!best) throw new Error('designVirtualizer: no delay/all-pass candidate (internal error)');
  return best;
}

// ---------------------------------------------------------------------------------------------

function checkPositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a finite number > 0, got ${v}`);
}

/** Largest root radius of b0 + b1 z^-1 + b2 z^-2 (b0 != 0). */
function zeroRadius(b0: number, b1: number, b2: number): number {
  return Math.max(...sectionPoles(b1 / b0, b2 / b0).map(([re, im]) => Math.hypot(re, im)));
}

/**
 * Design the ipsilateral all-pass and the contralateral delay + low-pass of a virtual loudspeaker
 * at angleDeg for the rigid-sphere head model (see the file comment for the method and the
 * definition of the relative delay). Realized relative response:
 *   z^-contraDelaySamples x prod(contraSos) / prod(ipsiSos)  ~  H_contra / H_ipsi.
 */
export function designVirtualizer(p: VirtualizerParams): VirtualizerDesign {
  const fs = p.sampleRate;
  const a = p.headRadiusM ?? DEFAULT_HEAD_RADIUS_M;
  const c = p.speedOfSoundMps ?? DEFAULT_SPEED_OF_SOUND;
  const r = p.sourceDistanceM ?? Infinity;
  const maxSections = p.maxContraSections ?? DEFAULT_MAX_CONTRA_SECTIONS;
  if (!Number.isFinite(p.angleDeg)) throw new RangeError(`angleDeg must be finite, got ${p.angleDeg}`);
  checkPositive('sampleRate', fs);
  checkPositive('headRadiusM', a);
  checkPositive('speedOfSoundMps', c);
  if (!(r > a)) throw new RangeError(`sourceDistanceM must exceed headRadiusM (${a}), got ${r}`);
  if (!(Number.isInteger(maxSections) && maxSections >= 1 && maxSections <= 8)) {
    throw new RangeError(`maxContraSections must be an integer in 1..8, got ${maxSections}`);
  }
  const [bandLo, bandHiNominal] = VIRTUALIZER_FIT_BAND_HZ;
  const bandHi = Math.min(bandHiNominal, 0.45 * fs);
  if (!(bandHi > 2 * bandLo)) throw new RangeError(`sampleRate ${fs} is too low for the ${bandLo}..${bandHiNominal} Hz fit band`);

  const sinTheta = Math.sin((p.angleDeg * Math.PI) / 180);
  // |sin| below 1e-12 (0 or 180 degrees up to rounding): both ears at 90 degrees, G = 1 exactly.
  const lateralRad = Math.abs(sinTheta) < 1e-12 ? 0 : Math.asin(Math.min(1, Math.abs(sinTheta)));
  const model = sphereModel(a, r, lateralRad, c);

  // --- Stage 1: contra magnitude.
  const bandFreqs = logGrid(bandLo, bandHi, 24);
  const topHz = Math.min(0.45 * fs, 20000);
  const extFreqs = topHz > bandHi * 1.06 ? logGrid(bandHi, topHz, 12).slice(1) : [];
  // Below the band too (5 .. 50 Hz): no shelf may hide under 50 Hz, where it would add group delay.
  const lowFreqs = logGrid(bandLo / 10, bandLo, 6).slice(0, -1);
  const fitFreqs = [...bandFreqs, ...extFreqs, ...lowFreqs];
  const grid = makeGrid(fitFreqs, fs);
  const targetDb = Float64Array.from(fitFreqs, (f) => model.db(f));
  const inBand = fitFreqs.map((_, i) => i < bandFreqs.length);
  const weights = Float64Array.from(inBand, (b) => (b ? 1 : 0.1));
  // Brown-Duda relative shelf (1 + s alpha_c T) / (1 + s alpha_i T), T = a / (2c), bilinear.
  const T = a / (2 * c);
  const k1 = 2 * fs * brownDudaAlpha(Math.acos(-Math.sin(lateralRad))) * T;
  const k2 = 2 * fs * brownDudaAlpha(Math.acos(Math.sin(lateralRad))) * T;
  const dcDb = model.db(bandLo);
  const [u1, u2] = paramsFromPoly((1 - k1) / (1 + k1), 0);
  const [v1, v2] = paramsFromPoly((1 - k2) / (1 + k2), 0);
  const init = [Math.log(((1 + k1) / (1 + k2)) * 10 ** (dcDb / 20)), u1, u2, v1, v2];
  const contraSos = lateralRad === 0 ? [] : contraSosFromParams(fitContra(grid, targetDb, weights, inBand, init, maxSections).x);

  // --- Stage 2: delay + all-pass on the in-band grid.
  const tauModelS = lateralRad === 0 ? 0 : sphereItdS({ radiusM: a, azimuthRad: lateralRad, freqHz: 0, sourceDistanceM: r, speedOfSound: c });
  const tauModel = tauModelS * fs;
  const ws = Float64Array.from(bandFreqs, (f) => (2 * Math.PI * f) / fs);
  const bandGrid = makeGrid(bandFreqs, fs);
  const tauG = Float64Array.from(bandFreqs, (f) => model.groupDelayS(f) * fs);
  const tauEx = tauG.map((t, i) => t - sosGroupDelaySamples(contraSos, ws[i]));
  const tauEx0 = tauModel - sosGroupDelaySamples(contraSos, 0);
  const delayFit: DelayFit = lateralRad === 0 ? { delay: 0, ap: [], cost: 0 } : fitDelayAllpass(bandGrid, tauEx, tauEx0);
  const ipsiSos = delayFit.ap;
  const contraDelaySamples = delayFit.delay;

  // --- Report on a denser grid.
  const realizedGd = (w: number) => contraDelaySamples + sosGroupDelaySamples(contraSos, w) - sosGroupDelaySamples(ipsiSos, w);
  const checkFreqs = logGrid(bandLo, bandHi, 48);
  let maxErr = 0, sq = 0;
  for (const f of checkFreqs) {
    const [re, im] = sosResponse(contraSos, f, fs);
    const e = 10 * Math.log10(re * re + im * im) - model.db(f);
    maxErr = Math.max(maxErr, Math.abs(e));
    sq += e * e;
  }
  let gdSqLow = 0, gdMaxLow = 0, nLow = 0, gdSq = 0, pdMaxLow = 0;
  // Model phase unwrapped along the check grid from 50 Hz (|arg G| < 0.3 rad there); the
  // realized phase is continuous by construction.
  let modelPhase = 0, prevModel = 0;
  checkFreqs.forEach((f, i) => {
    const w = (2 * Math.PI * f) / fs;
    const e = realizedGd(w) - model.groupDelayS(f) * fs;
    gdSq += e * e;
    const [gr, gi] = model.ratio(f);
    const mArg = Math.atan2(gi, gr);
    modelPhase = i === 0 ? mArg : modelPhase + wrapPi(mArg - prevModel);
    prevModel = mArg;
    const realPhase = minPhaseCascadePhase(contraSos, w) - allpassCascadePhase(ipsiSos, w) - w * contraDelaySamples;
    if (f <= 1500) {
      gdSqLow += e * e;
      gdMaxLow = Math.max(gdMaxLow, Math.abs(e));
      pdMaxLow = Math.max(pdMaxLow, Math.abs(-realPhase / w + modelPhase / w));
      nLow++;
    }
  });
  let ripple = 0;
  for (let k = 0; k <= 512; k++) {
    const [re, im] = sosResponse(ipsiSos, (k / 512) * (fs / 2), fs);
    ripple = Math.max(ripple, Math.abs(10 * Math.log10(re * re + im * im)));
  }
  const realizedDelay = realizedGd(0);
  const poleRadii = [...ipsiSos, ...contraSos].map((s) => maxPoleRadius(s[4] / s[3], s[5] / s[3]));
  return {
    ipsiSos,
    contraSos,
    contraDelaySamples,
    report: {
      ipsilateralEar: sinTheta >= 0 || lateralRad === 0 ? 'left' : 'right',
      maxMagnitudeErrorDb: maxErr,
      rmsMagnitudeErrorDb: Math.sqrt(sq / checkFreqs.length),
      modelDelaySamples: tauModel,
      realizedDelaySamples: realizedDelay,
      delayErrorSamples: realizedDelay - tauModel,
      groupDelayRmsErrorLowBandSamples: Math.sqrt(gdSqLow / Math.max(1, nLow)),
      groupDelayMaxErrorLowBandSamples: gdMaxLow,
      groupDelayRmsErrorSamples: Math.sqrt(gdSq / checkFreqs.length),
      phaseDelayMaxErrorLowBandSamples: pdMaxLow,
      allpassRippleDb: ripple,
      itdSeconds: tauModelS,
      contraSections: contraSos.length,
      allpassOrder: ipsiSos.length === 0 ? 0 : ipsiSos[0][2] === 0 ? 1 : 2,
      maxPoleRadius: Math.max(0, ...poleRadii),
      maxContraZeroRadius: Math.max(0, ...contraSos.map((s) => zeroRadius(s[0], s[1], s[2]))),
      fitBandHz: [bandLo, bandHi],
    },
  };
}
