// Midrange beamformer for the centre channel, for any array of N >= 2 drivers.
//
// Inside the design's beam band the C channel is a superdirective beam; outside it the channel is
// plain playback (its home drivers at unit gain). Per frequency f, with a(phi) the far-field
// steering vector of the drivers toward angle phi around the device (relative to the array
// centre, e^{+j omega t}: a_i = e^{+jk (p_i - centre) . u(phi)}, omnidirectional point sources by
// default), p the plain-playback weights and d0 = a(0)^T p the response plain playback gives
// toward the listener:
//
//   minimize   w^H Q w,   Q = (alpha / Nn) sum_n conj(a_n) a_n^T                  null directions
//                           + (beta / Nm) sum_m conj(a_m - a_0)(a_m - a_0)^T       main lobe = front
//                           + mu (|a_0|^2 / N) I                                   effort
//   subject to a_0^T w = d0                                                        distortionless
//
//   => w = d0 Q^{-1} conj(a_0) / (a_0^T Q^{-1} conj(a_0)).
//
// (|a^T w|^2 = w^H conj(a) a^T w.) The main-lobe term asks the response at every lobe direction
// (every lobeStepDeg within +/-mainLobeDeg, front excluded) to equal the front response in
// magnitude and phase, so the whole objective is one Hermitian form and the solution is
// closed-form. alpha = 1 sets the scale; beta trades null depth against main-lobe droop and mu
// buys white-noise gain |a_0^T w|^2 / |w|^2 (driver effort). Both are chosen per frequency:
//
//   mu(beta)  = the smallest loading whose white-noise gain reaches minWhiteNoiseGainDb +
//               wngMarginDb (bisection in log mu: the gain grows monotonically with mu);
//   beta      = the largest lobe weight (the flattest main lobe) whose null depth, with its own
//               mu(beta), still reaches nullDepthTargetDb (bisection in log beta); where no beta
//               reaches it (the white-noise-gain bound or the geometry limits the null) the
//               smallest, i.e. the deepest null the bound allows.
//
// Both are computed on a fixed log-frequency grid (48 a octave, independent of the caller's
// frequencies) and smoothed over frequency so the response is smooth: log beta by a running
// minimum over +/-smoothingOctaves then a Hann kernel of the same half-width (never above the
// required value: nulls stay at least as deep), then mu for that smoothed beta, smoothed the
// same way from above (never below the required loading: the bound still holds at the grid
// points). Both are interpolated in log f at the requested frequencies; if the white-noise gain
// there still falls below the bound (a requirement sharper than the grid, e.g. a grating lobe
// onto a null direction), mu is raised at that frequency alone and the report says so.
//
// Band limiting: a linear-phase complementary crossfade, x(f) in [0, 1] real:
//   w(f) = e^{-j 2 pi f D / fs} [ x(f) w_beam(f) + (1 - x(f)) p ],
// so the beam share and the plain share add to 1 in amplitude with the same delay D. x rises from
// 0 to 1 as a raised cosine in log f over the octave below the lower edge of the beam band's
// lowest 1/3-octave band (beam.bandHz[0] * 2^(-1/6)), and falls back over the octave above the
// upper edge of the highest band (beam.bandHz[1] * 2^(1/6)); the transitions are kept inside every
// driver's usable band and below 0.9 x Nyquist. Because the beam is distortionless toward the
// listener with plain playback's own response d0, the on-axis response of the channel is plain
// playback delayed by D at every frequency (crossfade regions included): only the off-axis
// pattern changes. The whole response is real at DC and Nyquist for integer D.
import { type Complex, cabs2, cadd, cconj, cdiv, cexpj, cmul, cscale, csub } from './complex.ts';
import type { ArrayGeometry } from './geometry.ts';
import { type BeamResult, bandGrid, beamMetrics, thirdOctaveBands } from './metrics.ts';
import { type CMatrix, solve } from './linalg.ts';
import { deviceDirection, farFieldSteering } from './plant.ts';

export interface BeamformerOptions {
  /** Modelling delay applied to every driver, samples (default 384, 8 ms at 48 kHz: the linear-phase crossfades ring for about +/-5 ms, so realized FIRs are causal to -45 dB). */
  delaySamples?: number;
  /** alpha: weight of the null directions (default 1; only its ratio to beta and mu matters). */
  nullWeight?: number;
  /**
   * beta: weight of main-lobe flatness. Default: chosen per frequency, the largest value whose
   * null depth still reaches nullDepthTargetDb; a number here fixes it at every frequency.
   */
  lobeWeight?: number;
  /** Null depth the per-frequency choice of beta aims at, dB (default 23). */
  nullDepthTargetDb?: number;
  /** Spacing of the main-lobe directions within +/-mainLobeDeg (default 5). */
  lobeStepDeg?: number;
  /** Design for minWhiteNoiseGainDb + this margin (default 0.25 dB). */
  wngMarginDb?: number;
  /** Half-width of the smoothing of beta and mu over frequency, octaves (default 1/6). */
  smoothingOctaves?: number;
  /** Width of each crossfade, octaves (default 1; shortened to stay in the drivers' bands). */
  transitionOctaves?: number;
  /** Steering model the design inverts: 'omni' point sources (default) or 'piston' directivity. */
  steering?: 'omni' | 'piston';
  /** Compute beamMetrics (omni and piston) over the beam band into the report (default true). */
  metrics?: boolean;
}

export interface BeamformerReport {
  design: string;
  delaySamples: number;
  latencyMs: number;
  homeDrivers: string[];
  steering: 'omni' | 'piston';
  beamBandHz: [number, number];
  crossfade: {
    kind: 'linear-phase complementary crossfade, raised cosine in log f';
    /** Beam share rises 0 -> 1 over lowerHz and falls 1 -> 0 over upperHz. */
    lowerHz: [number, number];
    upperHz: [number, number];
  };
  parameters: {
    nullWeight: number;
    /** 'per-frequency' (toward nullDepthTargetDb) or the fixed value. */
    lobeWeight: number | 'per-frequency';
    nullDepthTargetDb: number;
    nullsDeg: number[];
    lobeAnglesDeg: number[];
    whiteNoiseGainTargetDb: number;
    smoothingOctaves: number;
  };
  /** For each requested frequency. */
  perFrequency: {
    hz: number;
    /** Crossfade share of the beam, 0 (plain playback) .. 1. */
    beamShare: number;
    /** Lobe weight beta and loading mu used (NaN where the beam share is 0). */
    lobeWeight: number;
    loadingMu: number;
    /** Of the final weights, with the design's steering model (NaN where the beam share is 0). */
    whiteNoiseGainDb: number;
    nullDepthDb: number;
  }[];
  /** Beam metrics on thirdOctaveBands(beam.bandHz), omni point sources and piston directivity. */
  metrics?: { omni: BeamResult; piston: BeamResult };
  /** Where the white-noise-gain bound cannot be met even by delay-and-sum, and similar. */
  warnings: string[];
}

export interface BeamformerDesign {
  /** Per driver id: complex response of the C path at each requested frequency. */
  weights: Map<string, Complex[]>;
  report: BeamformerReport;
}

const DEFAULTS = {
  delaySamples: 384,
  nullWeight: 1,
  nullDepthTargetDb: 23,
  lobeStepDeg: 5,
  wngMarginDb: 0.25,
  smoothingOctaves: 1 / 6,
  transitionOctaves: 1,
};

// ---- small dense complex linear algebra -------------------------------------------------------

/** A += s conj(v) v^T */
function addOuter(A: CMatrix, v: Complex[], s: number): void {
  for (let i = 0; i < v.length; i++) {
    const ci = cconj(v[i]);
    for (let j = 0; j < v.length; j++) A[i][j] = cadd(A[i][j], cscale(cmul(ci, v[j]), s));
  }
}

const dotT = (a: Complex[], w: Complex[]): Complex => a.reduce((s, ai, i) => cadd(s, cmul(ai, w[i])), { re: 0, im: 0 });
const norm2 = (w: Complex[]) => w.reduce((s, x) => s + cabs2(x), 0);
const db10 = (x: number) => 10 * Math.log10(x);

// ---- crossfade --------------------------------------------------------------------------------

const raisedCosine = (s: number) => (s <= 0 ? 0 : s >= 1 ? 1 : 0.5 - 0.5 * Math.cos(Math.PI * s));

function crossfadeEdges(g: ArrayGeometry, bandHz: [number, number], octaves: number, warnings: string[]) {
  const loEdge = bandHz[0] * 2 ** (-1 / 6);
  const hiEdge = bandHz[1] * 2 ** (1 / 6);
  const drvLo = Math.max(...g.drivers.map((d) => d.bandHz[0]));
  const drvHi = Math.min(...g.drivers.map((d) => d.bandHz[1]), 0.9 * (g.sampleRate / 2));
  let lower: [number, number] = [Math.max(loEdge * 2 ** -octaves, drvLo), loEdge];
  let upper: [number, number] = [hiEdge, Math.min(hiEdge * 2 ** octaves, drvHi)];
  const minOct = 1 / 6;
  if (lower[0] > lower[1] * 2 ** -minOct) {
    warnings.push(`the lower crossfade ends at ${loEdge.toFixed(0)} Hz, within 1/6 octave of a driver's lower band edge (${drvLo} Hz): widened below it`);
    lower = [loEdge * 2 ** -minOct, loEdge];
  }
  if (upper[1] < upper[0] * 2 ** minOct) {
    warnings.push(`the upper crossfade starts at ${hiEdge.toFixed(0)} Hz, within 1/6 octave of a driver's upper band edge or 0.9 x Nyquist (${drvHi.toFixed(0)} Hz): widened above it`);
    upper = [hiEdge, hiEdge * 2 ** minOct];
  }
  return { lower, upper };
}

function beamShare(f: number, lower: [number, number], upper: [number, number]): number {
  if (f <= lower[0] || f >= upper[1]) return 0;
  const up = raisedCosine(Math.log(f / lower[0]) / Math.log(lower[1] / lower[0]));
  const down = 1 - raisedCosine(Math.log(f / upper[0]) / Math.log(upper[1] / upper[0]));
  return Math.min(up, down);
}

// ---- per-frequency problem ----------------------------------------------------------------------

interface FreqProblem {
  /** Null part and main-lobe part of Q (without alpha, beta). */
  An: CMatrix;
  Al: CMatrix;
  hz: number;
  a0: Complex[];
  /** Steering vectors of the null directions. */
  an: Complex[][];
  d0: Complex;
  /** Scale of mu: |a0|^2 / N (1 for omni point sources), so mu is dimensionless. */
  scale: number;
}

const zeros = (n: number): CMatrix => Array.from({ length: n }, () => Array.from({ length: n }, () => ({ re: 0, im: 0 })));

/** Log-spaced grid in log2 f, and helpers to smooth a curve on it and read it anywhere. */
class LogGrid {
  readonly log2: number[];
  constructor(loHz: number, hiHz: number, readonly perOctave: number) {
    const n = Math.ceil(Math.log2(hiHz / loHz) * perOctave) + 1;
    this.log2 = Array.from({ length: n }, (_, i) => Math.log2(loHz) + (i * Math.log2(hiHz / loHz)) / (n - 1));
  }
  get hz(): number[] {
    return this.log2.map((l) => 2 ** l);
  }
  /**
   * Running max (or min) over +/-halfWidthOctaves, then a Hann kernel of the same half-width: the
   * result is smooth and never below (above) the input.
   */
  envelope(v: number[], halfWidthOctaves: number, kind: 'max' | 'min'): number[] {
    const h = Math.max(1, Math.round(halfWidthOctaves * this.perOctave));
    const n = v.length;
    const pick = kind === 'max' ? Math.max : Math.min;
    const run = v.map((_, i) => pick(...v.slice(Math.max(0, i - h), i + h + 1)));
    const kernel = Array.from({ length: 2 * h + 1 }, (_, k) => 0.5 + 0.5 * Math.cos((Math.PI * (k - h)) / (h + 1)));
    return run.map((_, i) => {
      let s = 0, ws = 0;
      kernel.forEach((kv, k) => {
        const j = i + k - h;
        if (j < 0 || j >= n) return;
        s += kv * run[j];
        ws += kv;
      });
      return s / ws;
    });
  }
  /** Linear interpolation in log2 f, held constant beyond the grid. */
  at(v: number[], hz: number): number {
    const g = this.log2, n = g.length, l2 = Math.log2(hz);
    if (l2 <= g[0]) return v[0];
    if (l2 >= g[n - 1]) return v[n - 1];
    const t = ((l2 - g[0]) / (g[n - 1] - g[0])) * (n - 1);
    const i = Math.min(n - 2, Math.floor(t));
    return v[i] + (t - i) * (v[i + 1] - v[i]);
  }
}

/** Smallest x in [lo, hi] with ok(x) (ok monotone: false ... true), by bisection; null if none. */
function bisectFirst(lo: number, hi: number, ok: (x: number) => boolean, tol = 0.01): number | null {
  if (ok(lo)) return lo;
  if (!ok(hi)) return null;
  while (hi - lo > tol) {
    const mid = (lo + hi) / 2;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function designBeamformer(g: ArrayGeometry, freqsHz: number[], options: BeamformerOptions = {}): BeamformerDesign {
  const beam = g.beam;
  if (!beam) throw new Error(`designBeamformer: design '${g.name}' has no beam settings (beam.bandHz, nullsDeg, mainLobeDeg, minWhiteNoiseGainDb): nothing to beamform`);
  const N = g.drivers.length;
  if (N < 2) throw new Error(`designBeamformer: design '${g.name}' has ${N} driver; a beam needs at least two`);
  const home = g.homeDrivers.C;
  if (!home || home.length === 0) throw new Error(`designBeamformer: design '${g.name}' has no home drivers for the centre channel (homeDrivers.C): nothing to cross over to outside the beam band`);
  const ids = g.drivers.map((d) => d.id);
  for (const id of home) if (!ids.includes(id)) throw new Error(`designBeamformer: homeDrivers.C names '${id}', not a driver of '${g.name}' (drivers: ${ids.join(', ')})`);
  const [bandLo, bandHi] = beam.bandHz;
  if (!(bandLo > 0 && bandLo < bandHi && bandHi < g.sampleRate / 2)) throw new Error(`designBeamformer: beam.bandHz [${bandLo}, ${bandHi}] must satisfy 0 < low < high < Nyquist (${g.sampleRate / 2} Hz)`);
  for (const f of freqsHz) if (!(f >= 0 && f <= g.sampleRate / 2 + 1e-9)) throw new Error(`designBeamformer: frequency ${f} Hz outside 0..Nyquist (${g.sampleRate / 2} Hz)`);

  for (const [k, v] of Object.entries(options)) {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`designBeamformer: option ${k} must be a finite number, got ${v}`);
  }
  for (const k of ['nullWeight', 'lobeWeight', 'lobeStepDeg', 'smoothingOctaves', 'transitionOctaves'] as const) {
    const v = options[k];
    if (v !== undefined && !(v > 0)) throw new Error(`designBeamformer: option ${k} must be > 0, got ${v}`);
  }
  if (options.delaySamples !== undefined && options.delaySamples < 0) throw new Error(`designBeamformer: option delaySamples must be >= 0, got ${options.delaySamples}`);
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & BeamformerOptions;
  const steering = o.steering ?? 'omni';
  const omni = steering === 'omni';
  const warnings: string[] = [];
  const { lower, upper } = crossfadeEdges(g, beam.bandHz, o.transitionOctaves, warnings);
  const plain: Complex[] = g.drivers.map((d) => ({ re: home.includes(d.id) ? 1 : 0, im: 0 }));
  const lobeAngles: number[] = [];
  for (let a = -beam.mainLobeDeg; a <= beam.mainLobeDeg + 1e-9; a += o.lobeStepDeg) if (Math.abs(a) > 1e-9) lobeAngles.push(a);
  const u0 = deviceDirection(g, 0);
  const nullDirs = beam.nullsDeg.map((a) => deviceDirection(g, a));
  const lobeDirs = lobeAngles.map((a) => deviceDirection(g, a));
  const wngTarget = 10 ** ((beam.minWhiteNoiseGainDb + o.wngMarginDb) / 10);
  const wngBound = 10 ** (beam.minWhiteNoiseGainDb / 10);
  const raisedAt: number[] = [];
  const nullTarget = 10 ** (o.nullDepthTargetDb / 10);
  let weakD0 = false;

  const problem = (f: number): FreqProblem => {
    const a0 = farFieldSteering(g, u0, f, omni);
    const An = zeros(N), Al = zeros(N);
    const an = nullDirs.map((u) => farFieldSteering(g, u, f, omni));
    for (const a of an) addOuter(An, a, 1 / Math.max(1, nullDirs.length));
    for (const u of lobeDirs) {
      const am = farFieldSteering(g, u, f, omni);
      addOuter(Al, am.map((x, i) => csub(x, a0[i])), 1 / Math.max(1, lobeDirs.length));
    }
    let d0 = dotT(a0, plain);
    if (cabs2(d0) < 1e-6 * norm2(a0)) {
      weakD0 = true;
      d0 = { re: 1, im: 0 };
    }
    return { hz: f, An, Al, a0, an, d0, scale: norm2(a0) / N };
  };
  const solveAt = (p: FreqProblem, beta: number, mu: number): Complex[] => {
    const Q = p.An.map((row, i) => row.map((x, j) => {
      const y = cadd(cscale(x, o.nullWeight), cscale(p.Al[i][j], beta));
      return i === j ? { re: y.re + mu * p.scale, im: y.im } : y;
    }));
    const v = solve(Q, p.a0.map(cconj));
    return v.map((x) => cmul(x, cdiv(p.d0, dotT(p.a0, v))));
  };
  const wng = (p: FreqProblem, w: Complex[]) => cabs2(dotT(p.a0, w)) / norm2(w);
  /** Front over the worst null direction, power ratio. */
  const nullDepth = (p: FreqProblem, w: Complex[]) => {
    if (p.an.length === 0) return Infinity;
    const front = cabs2(dotT(p.a0, w));
    return Math.min(...p.an.map((a) => front / cabs2(dotT(a, w))));
  };

  // Log-domain ranges of the lobe weight beta and the loading mu.
  const LOG_MU: [number, number] = [Math.log(1e-9), Math.log(1e6)];
  const LOG_BETA: [number, number] = [Math.log(1e-6), Math.log(1e4)];
  /** Smallest loading meeting the white-noise-gain target (log mu); the largest if none does. */
  const requiredLogMu = (p: FreqProblem, beta: number): { logMu: number; feasible: boolean } => {
    const x = bisectFirst(LOG_MU[0], LOG_MU[1], (lm) => wng(p, solveAt(p, beta, Math.exp(lm))) >= wngTarget);
    return x === null ? { logMu: LOG_MU[1], feasible: false } : { logMu: x, feasible: true };
  };

  // Step 1, on a fixed log grid covering the crossfades: the largest lobe weight (flattest main
  // lobe) whose null depth, with its own required loading, still reaches the target.
  const grid = new LogGrid(lower[0] * 2 ** (-2 * o.smoothingOctaves), upper[1] * 2 ** (2 * o.smoothingOctaves), 48);
  const problems = grid.hz.map(problem);
  const shallowAt: number[] = [];
  const logBetaReq = problems.map((p) => {
    if (o.lobeWeight !== undefined) return Math.log(o.lobeWeight);
    const deepEnough = (lb: number) => nullDepth(p, solveAt(p, Math.exp(lb), Math.exp(requiredLogMu(p, Math.exp(lb)).logMu))) >= nullTarget;
    // Largest beta with deepEnough = smallest -beta with deepEnough.
    const x = bisectFirst(-LOG_BETA[1], -LOG_BETA[0], (nb) => deepEnough(-nb));
    if (x === null && p.hz >= bandLo * 2 ** (-1 / 6) && p.hz <= bandHi * 2 ** (1 / 6)) shallowAt.push(p.hz);
    return x === null ? LOG_BETA[0] : -x;
  });
  if (shallowAt.length) warnings.push(`null depth target ${o.nullDepthTargetDb} dB not reachable (white-noise-gain bound or geometry) at ${shallowAt.length} of the design frequencies in the beam band, between ${Math.min(...shallowAt).toFixed(0)} and ${Math.max(...shallowAt).toFixed(0)} Hz: the deepest null there`);
  const logBeta = o.lobeWeight !== undefined ? logBetaReq : grid.envelope(logBetaReq, o.smoothingOctaves, 'min');
  // Step 2: the loading the smoothed lobe weight needs, smoothed from above.
  const infeasibleAt: number[] = [];
  const logMuReq = problems.map((p, i) => {
    const r = requiredLogMu(p, Math.exp(logBeta[i]));
    if (!r.feasible) infeasibleAt.push(grid.hz[i]);
    return r.logMu;
  });
  const logMu = grid.envelope(logMuReq, o.smoothingOctaves, 'max');
  if (infeasibleAt.length) warnings.push(`white-noise gain ${beam.minWhiteNoiseGainDb} dB is above what delay-and-sum reaches between ${Math.min(...infeasibleAt).toFixed(0)} and ${Math.max(...infeasibleAt).toFixed(0)} Hz: the beam there is (nearly) delay-and-sum`);

  /** Undelayed C-path response at f (beam share, loading, weights). */
  const responseAt = (f: number): { x: number; beta: number; mu: number; w: Complex[]; wngDb: number; nullDb: number } => {
    const x = beamShare(f, lower, upper);
    if (x === 0) return { x, beta: NaN, mu: NaN, w: plain, wngDb: NaN, nullDb: NaN };
    const p = problem(f);
    const beta = Math.exp(grid.at(logBeta, f));
    let mu = Math.exp(grid.at(logMu, f));
    let wb = solveAt(p, beta, mu);
    if (wng(p, wb) < wngBound) {
      // The requirement peaks between grid points (a sharp feature such as a grating lobe at a
      // null direction): raise the loading here alone, to the target.
      const lm = bisectFirst(Math.log(mu), LOG_MU[1], (x) => wng(p, solveAt(p, beta, Math.exp(x))) >= wngTarget) ?? LOG_MU[1];
      mu = Math.exp(lm);
      wb = solveAt(p, beta, mu);
      raisedAt.push(f);
    }
    const w = wb.map((b, i) => cadd(cscale(b, x), cscale(plain[i], 1 - x)));
    return { x, beta, mu, w, wngDb: db10(wng(p, w)), nullDb: db10(nullDepth(p, w)) };
  };

  const delay = o.delaySamples;
  const weights = new Map<string, Complex[]>(ids.map((id) => [id, []]));
  const perFrequency: BeamformerReport['perFrequency'] = [];
  for (const f of freqsHz) {
    const r = responseAt(f);
    const e = cexpj((-2 * Math.PI * f * delay) / g.sampleRate);
    ids.forEach((id, i) => weights.get(id)!.push(cmul(r.w[i], e)));
    perFrequency.push({ hz: f, beamShare: r.x, lobeWeight: r.beta, loadingMu: r.mu, whiteNoiseGainDb: r.wngDb, nullDepthDb: r.nullDb });
  }

  if (raisedAt.length) warnings.push(`loading raised locally above the smoothed curve at ${raisedAt.length} requested frequencies between ${Math.min(...raisedAt).toFixed(0)} and ${Math.max(...raisedAt).toFixed(0)} Hz (the white-noise-gain requirement changes faster than the design grid resolves): the response is less smooth there`);
  if (weakD0) warnings.push('plain playback gives almost no response toward the listener at some frequencies: there the beam is normalized to unit response instead');
  const report: BeamformerReport = {
    design: g.name,
    delaySamples: delay,
    latencyMs: (1000 * delay) / g.sampleRate,
    homeDrivers: [...home],
    steering,
    beamBandHz: [bandLo, bandHi],
    crossfade: { kind: 'linear-phase complementary crossfade, raised cosine in log f', lowerHz: lower, upperHz: upper },
    parameters: {
      nullWeight: o.nullWeight,
      lobeWeight: o.lobeWeight ?? 'per-frequency',
      nullDepthTargetDb: o.nullDepthTargetDb,
      nullsDeg: [...beam.nullsDeg],
      lobeAnglesDeg: lobeAngles,
      whiteNoiseGainTargetDb: beam.minWhiteNoiseGainDb + o.wngMarginDb,
      smoothingOctaves: o.smoothingOctaves,
    },
    perFrequency,
    warnings,
  };
  if (o.metrics !== false) {
    const bands = thirdOctaveBands(bandLo, bandHi);
    const freqs = bandGrid(bands);
    const rs = freqs.map(responseAt);
    const filters = new Map<string, Complex[]>(ids.map((id, i) => [id, rs.map((r) => r.w[i])]));
    report.metrics = { omni: beamMetrics(g, filters, bands, true), piston: beamMetrics(g, filters, bands, false) };
  }
  return { weights, report };
}
