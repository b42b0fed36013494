// Crosstalk cancellation and null steering, one formulation for any number of drivers N >= 2.
//
// For channel L (ipsilateral ear: left), at each frequency, with h_i the drivers' responses at
// the ipsilateral ear (nominal pose), h_c,p those at the contralateral ear for a set of design
// poses, p the plain-playback weights (the channel's home drivers at unit gain, delayed by the
// modelling delay) and d = h_i^T p the ipsilateral response plain playback gives:
//
//   minimize  mean_p |h_c,p^T w|^2  +  beta |w - p|^2
//   subject to  h_i^T w = d
//
// The first term is the crosstalk, the second a Kirkeby-style regularization toward plain
// playback (beta -> infinity gives plain playback, beta -> 0 maximum cancellation).
// The constraint keeps the ipsilateral ear's response (the tonal balance) that of plain
// playback. beta is chosen per frequency so that the achieved ipsi/contra power ratio at the
// nominal pose equals the target cancellation curve, raised where the filters would exceed the
// effort limit. Toward the edges of the drivers' usable bands the target and the effort allowance
// fade (over an octave) to plain playback, so no driver is pushed where it cannot play and the
// design stays smooth in frequency. For two drivers this is regularized 2x2 inversion; for more,
// null steering.
import { type Complex, cabs2, cexpj, cmul, cscale } from './complex.ts';
import { type ArrayGeometry, type ListenerPose, NOMINAL_POSE } from './geometry.ts';
import { type CMatrix, type CVector, czero, dotH, meanOuterConj, solve } from './linalg.ts';
import { type Ear, type HeadModel, driverToEar } from './plant.ts';

export interface CtcOptions {
  /** Design grid: bins 0..nfft/2. */
  nfft: number;
  modellingDelaySamples: number;
  /** Head model the design inverts. */
  head: HeadModel;
  /** Poses whose contralateral crosstalk is minimized together (robustness). */
  designPoses: ListenerPose[];
}

export interface CtcChannelDesign {
  /** Per driver id: response on the grid. */
  weights: Map<string, Complex[]>;
  /** Per bin: chosen regularization (relative to |h_i|^2; Infinity = plain playback). */
  betaRel: number[];
  /** Per bin: separation achieved at the nominal pose with the design head, dB. */
  separationDb: number[];
  /** Per bin: true where the effort limit, not the target, set beta. */
  effortLimited: boolean[];
}

export interface CtcDesign {
  freqsHz: number[];
  targetDb: number[];
  L: CtcChannelDesign;
  R: CtcChannelDesign;
  modellingDelaySamples: number;
}

/** Target curve, piecewise linear in log frequency, held constant beyond its end points. */
export function targetAt(curve: [number, number][], hz: number): number {
  if (hz <= curve[0][0]) return curve[0][1];
  for (let i = 1; i < curve.length; i++) {
    const [f1, d1] = curve[i];
    if (hz <= f1) {
      const [f0, d0] = curve[i - 1];
      return d0 + ((d1 - d0) * Math.log(hz / f0)) / Math.log(f1 / f0);
    }
  }
  return curve[curve.length - 1][1];
}

/** 1 outside a driver's usable band, 0 from an octave inside it, raised-cosine in between. */
export function outOfBand(hz: number, [lo, hi]: [number, number]): number {
  const edge = (x: number) => (x <= 0 ? 1 : x >= 1 ? 0 : 0.5 + 0.5 * Math.cos(Math.PI * x));
  const below = hz <= 0 ? 1 : edge(Math.log2(hz / lo));
  const above = hz <= 0 ? 0 : edge(Math.log2(hi / hz));
  return Math.max(below, above);
}

/** Effort-limit margin kept at design time, so that realized (truncated) filters stay within the limit. */
const EFFORT_MARGIN_DB = 1;
/** Width of the moving average applied to log(beta) across frequency, in octaves. */
const BETA_SMOOTHING_OCT = 1 / 6;
const X_MIN = -9;
const X_MAX = 6;
/** log10(beta/scale) standing for plain playback when smoothing across frequency. */
const X_PLAIN = 8;

interface BinProblem {
  hi: CVector;
  A: CMatrix;
  /** How far out of the drivers' usable bands this frequency is (0 inside, 1 outside). */
  fade: number;
  p: CVector;
  d: Complex;
  hcNominal: CVector;
}

function solveBin(b: BinProblem, beta: number): CVector {
  const Q = b.A.map((row, i) => row.map((v, j) => (i === j ? { re: v.re + beta, im: v.im } : v)));
  const g = b.hi.map((h) => ({ re: h.re, im: -h.im })); // conj(h_i): constraint g^H w = h_i^T w
  const w0 = solve(Q, b.p.map((v) => cscale(v, beta)));
  const Qg = solve(Q, g);
  const gw0 = dotH(g, w0);
  const gQg = dotH(g, Qg);
  const mu = { re: b.d.re - gw0.re, im: b.d.im - gw0.im };
  // w = w0 + Q^-1 g (d - g^H w0) / (g^H Q^-1 g)
  const s = { re: (mu.re * gQg.re + mu.im * gQg.im) / cabs2(gQg), im: (mu.im * gQg.re - mu.re * gQg.im) / cabs2(gQg) };
  return w0.map((v, i) => {
    const t = cmul(Qg[i], s);
    return { re: v.re + t.re, im: v.im + t.im };
  });
}

function response(h: CVector, w: CVector): Complex {
  let s = czero();
  for (let i = 0; i < h.length; i++) {
    const t = cmul(h[i], w[i]);
    s = { re: s.re + t.re, im: s.im + t.im };
  }
  return s;
}

function designChannel(g: ArrayGeometry, ch: 'L' | 'R', freqs: number[], targets: number[], opts: CtcOptions, plant: Map<string, Complex[]>): CtcChannelDesign {
  const ipsi: Ear = ch === 'L' ? 'left' : 'right';
  const contra: Ear = ch === 'L' ? 'right' : 'left';
  const home = new Set(g.homeDrivers[ch]);
  const limit = 10 ** ((g.effortLimitDb - EFFORT_MARGIN_DB) / 20);
  const n = g.drivers.length;
  const fs = g.sampleRate;
  const problems = freqs.map((f, k) => {
    const at = (pose: number, ear: Ear) => g.drivers.map((d) => plant.get(`${pose}|${d.id}|${ear}`)![k]);
    const hi = at(0, ipsi);
    const hcs = opts.designPoses.map((_, pi) => at(pi, contra));
    const delay = cexpj((-2 * Math.PI * f * opts.modellingDelaySamples) / fs);
    const p = g.drivers.map((d) => (home.has(d.id) ? delay : czero()));
    const fade = Math.max(...g.drivers.map((d) => outOfBand(f, d.bandHz)));
    const prob: BinProblem = { hi, A: meanOuterConj(hcs), fade, p, d: response(hi, p), hcNominal: hcs[0] };
    const scale = hi.reduce((acc, v) => acc + cabs2(v), 0) / n || 1;
    return { prob, scale };
  });
  const weightsAt = (k: number, x: number): CVector => {
    const { prob, scale } = problems[k];
    return x >= X_PLAIN ? prob.p : solveBin(prob, scale * 10 ** x);
  };
  const sepOf = (k: number, w: CVector) => {
    const { prob } = problems[k];
    return 10 * Math.log10(cabs2(response(prob.hi, w)) / Math.max(1e-300, cabs2(response(prob.hcNominal, w))));
  };
  const effortOf = (w: CVector) => Math.max(...w.map((v) => Math.sqrt(cabs2(v))));
  // Pass 1: per bin, the regularization that meets the target (x = log10(beta / scale);
  // separation falls as x grows). Near the drivers' band edges the target fades to nothing.
  const x1 = freqs.map((f, k) => {
    const target = targets[k] * (1 - problems[k].prob.fade);
    if (f === 0 || !(target > sepOf(k, problems[k].prob.p))) return X_PLAIN;
    if (sepOf(k, weightsAt(k, X_MIN)) <= target) return X_MIN;
    let lo = X_MIN, hiX = X_MAX;
    for (let it = 0; it < 40; it++) {
      const mid = (lo + hiX) / 2;
      if (sepOf(k, weightsAt(k, mid)) > target) lo = mid;
      else hiX = mid;
    }
    return hiX;
  });
  // Pass 2: smooth across frequency (a discontinuous design needs long filters), then raise
  // beta wherever the filters would exceed the effort limit.
  const logF = freqs.map((f) => Math.log2(Math.max(f, freqs[1] / 2)));
  const x2 = x1.map((_, k) => {
    let sum = 0, cnt = 0;
    for (let j = k; j >= 0 && logF[k] - logF[j] <= BETA_SMOOTHING_OCT / 2; j--) { sum += x1[j]; cnt++; }
    for (let j = k + 1; j < freqs.length && logF[j] - logF[k] <= BETA_SMOOTHING_OCT / 2; j++) { sum += x1[j]; cnt++; }
    return sum / cnt;
  });
  const weights = g.drivers.map(() => [] as Complex[]);
  const betaRel: number[] = [];
  const separationDb: number[] = [];
  const effortLimited: boolean[] = [];
  freqs.forEach((_, k) => {
    let x = x2[k];
    let w = weightsAt(k, x);
    let limited = false;
    const limitHere = 1 + (limit - 1) * (1 - problems[k].prob.fade);
    if (effortOf(w) > limitHere) {
      limited = true;
      let lo = x, hiX = X_PLAIN;
      for (let it = 0; it < 40; it++) {
        const mid = (lo + hiX) / 2;
        if (effortOf(weightsAt(k, mid)) > limitHere) lo = mid;
        else hiX = mid;
      }
      x = hiX;
      w = weightsAt(k, x);
    }
    w.forEach((v, i) => weights[i].push(v));
    betaRel.push(x >= X_PLAIN ? Infinity : 10 ** x);
    separationDb.push(sepOf(k, w));
    effortLimited.push(limited);
  });
  return { weights: new Map(g.drivers.map((d, i) => [d.id, weights[i]])), betaRel, separationDb, effortLimited };
}

/** Crosstalk cancellation (two drivers) or null steering (more) for channels L and R. */
export function designCtc(g: ArrayGeometry, opts: CtcOptions, freqs: number[]): CtcDesign {
  if (g.drivers.length < 2) throw new Error('crosstalk cancellation needs at least two drivers');
  const poses = opts.designPoses.length ? opts.designPoses : [NOMINAL_POSE];
  const plant = new Map<string, Complex[]>();
  poses.forEach((pose, pi) => {
    for (const d of g.drivers) {
      for (const ear of ['left', 'right'] as const) plant.set(`${pi}|${d.id}|${ear}`, driverToEar(g, d, pose, ear, freqs, opts.head));
    }
  });
  const targets = freqs.map((f) => targetAt(g.cancellationTargetDb, f));
  const o = { ...opts, designPoses: poses };
  return {
    freqsHz: freqs,
    targetDb: targets,
    L: designChannel(g, 'L', freqs, targets, o, plant),
    R: designChannel(g, 'R', freqs, targets, o, plant),
    modellingDelaySamples: opts.modellingDelaySamples,
  };
}
