// Rigid spherical head: the exact series solution for a point source (Duda & Martens 1998) and its
// plane-wave limit (Rayleigh), plus interaural time differences derived from it. The Brown & Duda
// structural model and Woodworth's formula live in ./brownDuda.ts and are re-exported here.
//
// Conventions (the whole file):
// - Time convention e^{+j omega t}: a delay tau multiplies a response by e^{-j omega tau}, an
//   outgoing wave is e^{-jkR}/R, and a point on the surface facing the source, reached a/c before
//   the centre, shows a phase advance e^{+j omega a/c} at high frequency.
// - incidenceRad is the angle at the sphere's centre between the ray to the source and the ray to
//   the observation (ear) point: 0 = ear facing the source (ipsilateral), pi = ear at the far pole.
//   Only cos(incidenceRad) is used, so any real angle is accepted.
// - Normalization: H = p(ear on the sphere) / p_free(centre), the pressure the same source makes
//   at the sphere's centre with the sphere absent (for a plane wave: the incident wave's pressure
//   at the centre). The sphere is rigid (zero normal velocity), the medium lossless.
//
// Series (derived here in the e^{+j omega t} convention; Duda & Martens print the conjugate):
//   H = -(rho/mu) e^{j mu rho} sum_n (2n+1) P_n(cos theta) h_n(mu rho) / h_n'(mu),
//   mu = k a = omega a / c, rho = r / a, h_n = h_n^(2) = j_n - j y_n (outgoing for e^{+j omega t}).
// Writing h_n(x) = j^{n+1} (e^{-jx}/x) Q_n(x), Q_n a polynomial in z = 1/(jx) with
//   Q_{-1} = Q_0 = 1, Q_{n+1} = (2n+1) z Q_n + Q_{n-1},
// and h_n'(x) = j^n (e^{-jx}/x) [Q_{n-1}(x) + (n+1) z Q_n(x)], the exponentials cancel and
//   H = (e^{j mu} / (j mu)) sum_n (2n+1) P_n(cos theta) Q_n(mu rho) / [Q_{n-1}(mu) + (n+1) z_a Q_n(mu)].
// Q_n grows like (2n-1)!! / x^n, so it is never formed: only the bounded ratios
//   s_n(x) = Q_{n-1}(x)/Q_n(x),  s_0 = 1,  s_n = 1 / ((2n-1) z + s_{n-1})
//   R_n = Q_n(mu rho)/Q_n(mu) = R_{n-1} s_n(mu) / s_n(mu rho),  R_0 = 1,
// are carried, and term_n = (2n+1) P_n R_n / (s_n(mu) + (n+1) z_a). Forward recurrence is stable
// here (the outgoing Hankel function is the dominant solution for n > x and has constant modulus
// scale for n < x). For a plane wave (rho -> infinity) Q_n(mu rho) -> 1: z_r = 0, s_n(inf) = 1.
// This is the same recursion Duda & Martens give in their appendix, rewritten with ratios so that
// nothing overflows however many terms are needed (a source close to the surface needs many; their
// unnormalized form, run in double precision, loses digits and then overflows for r <~ 1.25 a).
import type { Complex } from '../complex.ts';

export { brownDudaAlpha, brownDudaDelayS, brownDudaHead, brownDudaShadow, woodworthItdS } from './brownDuda.ts';

export const DEFAULT_SPEED_OF_SOUND = 343;
export const DEFAULT_SERIES_TOLERANCE = 1e-10;
/** Consecutive terms that must all be below tolerance (relative to the sum) before stopping. */
const QUIET_TERMS = 3;
/** Hard cap on the number of series terms, whatever the geometry. */
const HARD_MAX_TERMS = 200_000;

export interface SphereHrtfParams {
  radiusM: number;
  /** Distance from the sphere's centre to the point source; Infinity for a plane wave. Must exceed radiusM. */
  sourceDistanceM: number;
  /** Angle between the centre->source and centre->ear rays. */
  incidenceRad: number;
  freqHz: number;
  /** m/s, default 343. */
  speedOfSound?: number;
  /**
   * Stop (once n > ka) when 3 consecutive terms are each below tolerance x |sum|, scaled by
   * (1 - a/r) for a finite source so that the geometric tail is covered too; default 1e-10.
   */
  tolerance?: number;
  /** Cap on the number of terms; default: enough for the geometry (see seriesTermCap). */
  maxTerms?: number;
}

export interface SphereHrtfDetail {
  value: Complex;
  /** Number of series terms summed (n = 0 .. terms-1); 0 for the closed-form freqHz = 0 case. */
  terms: number;
  /** False when the cap was hit before the stopping rule was met. */
  converged: boolean;
  /** True when the plane-wave (infinite distance) form was used. */
  planeWave: boolean;
}

function checkPositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a finite number > 0, got ${v}`);
}

/** Terms allowed for mu = ka, rho = r/a (Infinity for a plane wave), tolerance tol. */
export function seriesTermCap(mu: number, rho: number, tol: number): number {
  // Terms stay O(1) up to n ~ mu, then fall off super-exponentially (plane wave) or like
  // rho^-n (near source). Allow both phases with a wide margin.
  const geometric = Number.isFinite(rho) ? (Math.log(1 / tol) + 10) / Math.log(rho) : 0;
  return Math.min(HARD_MAX_TERMS, Math.ceil(2 * mu + 8 * Math.cbrt(mu) + 60 + 2 * geometric));
}

/**
 * The normalized series sum S with H = e^{j mu} S / (j mu). rho = Infinity for a plane wave.
 * Returns [re, im, terms, converged].
 */
function seriesSum(mu: number, rho: number, x: number, tol: number, maxTerms: number): [number, number, number, boolean] {
  const zaIm = -1 / mu; // z_a = 1/(j mu) = -j/mu (purely imaginary)
  const zrIm = Number.isFinite(rho) ? -1 / (mu * rho) : 0;
  // n = 0: term = 1 / (1 + z_a)
  let d = 1 + zaIm * zaIm;
  let sumRe = 1 / d;
  let sumIm = -zaIm / d;
  // s_0(mu) = s_0(mu rho) = 1, R_0 = 1, P_0 = 1, P_1 = x.
  let saRe = 1, saIm = 0, srRe = 1, srIm = 0, rRe = 1, rIm = 0;
  let pPrev = 1, p = x;
  // For a source at finite distance the terms eventually fall off like rho^-n, so the tail
  // after a term t is about |t| / (rho - 1): scale the threshold by (1 - 1/rho) so that the
  // neglected tail, not just the last term, is below tol x |sum|.
  const stopTol = Number.isFinite(rho) ? tol * (1 - 1 / rho) : tol;
  let quiet = 0;
  let n = 1;
  for (; n < maxTerms; n++) {
    if (n > 1) {
      const pNext = ((2 * n - 1) * x * p - (n - 1) * pPrev) / n;
      pPrev = p;
      p = pNext;
    }
    // s_n = 1 / ((2n-1) z + s_{n-1}) for both arguments.
    let aRe = saRe, aIm = (2 * n - 1) * zaIm + saIm;
    d = aRe * aRe + aIm * aIm;
    const naRe = aRe / d, naIm = -aIm / d;
    aRe = srRe;
    aIm = (2 * n - 1) * zrIm + srIm;
    d = aRe * aRe + aIm * aIm;
    const nrRe = aRe / d, nrIm = -aIm / d;
    // R_n = R_{n-1} * s_n(mu) / s_n(mu rho)
    const qRe = rRe * naRe - rIm * naIm, qIm = rRe * naIm + rIm * naRe;
    d = nrRe * nrRe + nrIm * nrIm;
    rRe = (qRe * nrRe + qIm * nrIm) / d;
    rIm = (qIm * nrRe - qRe * nrIm) / d;
    saRe = naRe; saIm = naIm; srRe = nrRe; srIm = nrIm;
    // term = (2n+1) P_n R_n / (s_n(mu) + (n+1) z_a)
    const bRe = saRe, bIm = saIm + (n + 1) * zaIm;
    d = bRe * bRe + bIm * bIm;
    const w = ((2 * n + 1) * p) / d;
    const tRe = w * (rRe * bRe + rIm * bIm);
    const tIm = w * (rIm * bRe - rRe * bIm);
    sumRe += tRe;
    sumIm += tIm;
    if (Math.hypot(tRe, tIm) <= stopTol * Math.hypot(sumRe, sumIm)) quiet++;
    else quiet = 0;
    // Terms with n < mu are never negligible; require a few quiet terms past that.
    if (quiet >= QUIET_TERMS && n > mu) {
      n++;
      return [sumRe, sumIm, n, true];
    }
  }
  return [sumRe, sumIm, n, false];
}

/**
 * Zero-frequency (incompressible-flow) limit of sphereHrtf for a source at distance r:
 *   H0 = sum_n (2n+1)/(n+1) (a/r)^n P_n(cos theta)   (real; exactly 1 for a plane wave).
 * It exceeds 1 on the near side and falls below 1 on the far side for close sources (the
 * low-frequency near-field ILD of Duda & Martens); it tends to 1 as r -> infinity.
 */
export function sphereHrtfLowFrequencyLimit(radiusM: number, sourceDistanceM: number, incidenceRad: number, tolerance = DEFAULT_SERIES_TOLERANCE): number {
  checkPositive('radiusM', radiusM);
  if (!(sourceDistanceM > radiusM)) throw new RangeError(`sourceDistanceM must exceed radiusM (${radiusM}), got ${sourceDistanceM}`);
  if (sourceDistanceM === Infinity) return 1;
  const t = radiusM / sourceDistanceM;
  const x = Math.cos(incidenceRad);
  let sum = 1, pPrev = 1, p = x, tn = t, quiet = 0;
  const cap = seriesTermCap(0, 1 / t, tolerance);
  for (let n = 1; n < cap; n++) {
    if (n > 1) {
      const pNext = ((2 * n - 1) * x * p - (n - 1) * pPrev) / n;
      pPrev = p;
      p = pNext;
      tn *= t;
    }
    const term = ((2 * n + 1) / (n + 1)) * tn * p;
    sum += term;
    // |term_n| <= 2 t^n: the tail after it is below |term| t / (1 - t) in the worst case.
    quiet = Math.abs(term) <= tolerance * (1 - t) * Math.abs(sum) ? quiet + 1 : 0;
    if (quiet >= QUIET_TERMS) return sum;
  }
  return sum;
}

/**
 * Rigid-sphere response with the series bookkeeping: value, number of terms, whether the
 * stopping rule was met, and whether the plane-wave form was used. Negative freqHz gives the
 * conjugate (real impulse response). See sphereHrtf.
 */
export function sphereHrtfDetailed(params: SphereHrtfParams): SphereHrtfDetail {
  const { radiusM, sourceDistanceM, incidenceRad, freqHz } = params;
  const c = params.speedOfSound ?? DEFAULT_SPEED_OF_SOUND;
  const tol = params.tolerance ?? DEFAULT_SERIES_TOLERANCE;
  checkPositive('radiusM', radiusM);
  checkPositive('speedOfSound', c);
  checkPositive('tolerance', tol);
  if (!(sourceDistanceM > radiusM)) throw new RangeError(`sourceDistanceM must exceed radiusM (${radiusM}), got ${sourceDistanceM}`);
  if (!Number.isFinite(incidenceRad)) throw new RangeError(`incidenceRad must be finite, got ${incidenceRad}`);
  if (!Number.isFinite(freqHz)) throw new RangeError(`freqHz must be finite, got ${freqHz}`);
  const mu = (2 * Math.PI * Math.abs(freqHz) * radiusM) / c;
  let rho = sourceDistanceM / radiusM;
  if (mu === 0) {
    const h0 = sphereHrtfLowFrequencyLimit(radiusM, sourceDistanceM, incidenceRad, tol);
    return { value: { re: h0, im: 0 }, terms: 0, converged: true, planeWave: rho === Infinity };
  }
  if (mu < 1e-100) {
    // (1/mu)^2 would overflow in the recursion; the first-order expansion is exact to double
    // precision here: H = H0 + j mu rho (H0 - 1) (plane wave: 1 + 1.5 j mu cos theta).
    const planeWave = !Number.isFinite(rho) || rho * mu > 1e100;
    const h0 = planeWave ? 1 : sphereHrtfLowFrequencyLimit(radiusM, sourceDistanceM, incidenceRad, tol);
    const im = planeWave ? 1.5 * mu * Math.cos(incidenceRad) : mu * rho * (h0 - 1);
    return { value: { re: h0, im: freqHz < 0 ? -im : im }, terms: 0, converged: true, planeWave };
  }
  // Q_n(mu rho) = 1 + n(n+1)/2 z_r + ...: when that correction is below tolerance for every
  // term that matters, the source is at infinity as far as the sum can tell, so the plane-wave
  // form is used. (The finite-r recursion itself stays accurate for any large r; this only
  // matters for r = Infinity or astronomically large r.)
  const nEff = mu + 8 * Math.cbrt(mu) + 30;
  if ((nEff * nEff) / (mu * rho) < tol) rho = Infinity;
  const cap = Math.min(params.maxTerms ?? Infinity, seriesTermCap(mu, rho, tol));
  const [sRe, sIm, terms, converged] = seriesSum(mu, rho, Math.cos(incidenceRad), tol, cap);
  // H = e^{j mu} S / (j mu) = e^{j mu} (-j S) / mu
  const cr = Math.cos(mu), ci = Math.sin(mu);
  const uRe = sIm / mu, uIm = -sRe / mu;
  const value = { re: cr * uRe - ci * uIm, im: freqHz < 0 ? -(cr * uIm + ci * uRe) : cr * uIm + ci * uRe };
  return { value, terms, converged, planeWave: rho === Infinity };
}

/**
 * Pressure on the surface of a rigid sphere of radius a at the point whose direction makes the
 * angle incidenceRad with the direction of a point source at distance r from the centre, divided
 * by the free-field pressure the source produces at the centre without the sphere
 * (Duda & Martens 1998, JASA 104(5) 3048-3058, eq. for H(rho, mu, theta)).
 *
 * Time convention e^{+j omega t}: a delay tau is e^{-j omega tau}. At freqHz = 0 the value is the
 * incompressible-flow limit sphereHrtfLowFrequencyLimit (1 for a far source; not 1 for a close
 * one). sourceDistanceM = Infinity gives the plane-wave response. Throws RangeError when the
 * series did not converge within the term cap (it converges for any r > a given enough terms,
 * about ln(1/tol)/ln(r/a); the default cap, 200 000 at most, covers r down to ~1.001 a, which
 * takes ~23 000 terms).
 */
export function sphereHrtf(params: SphereHrtfParams): Complex {
  const r = sphereHrtfDetailed(params);
  if (!r.converged) {
    throw new RangeError(`sphereHrtf: series did not converge in ${r.terms} terms (ka = ${((2 * Math.PI * params.freqHz * params.radiusM) / (params.speedOfSound ?? DEFAULT_SPEED_OF_SOUND)).toPrecision(4)}, r/a = ${(params.sourceDistanceM / params.radiusM).toPrecision(6)})`);
  }
  return r.value;
}

/**
 * Plane-wave (source at infinity) rigid-sphere response, normalized by the incident wave's
 * pressure at the centre:  H = -(1/mu^2) sum_n (2n+1) j^{n+1} P_n(cos theta) / h_n'(mu)
 * (Rayleigh; e^{+j omega t}, h_n = h_n^(2)). Same conventions as sphereHrtf.
 */
export function sphereHrtfPlaneWave(radiusM: number, incidenceRad: number, freqHz: number, speedOfSound = DEFAULT_SPEED_OF_SOUND, tolerance = DEFAULT_SERIES_TOLERANCE): Complex {
  return sphereHrtf({ radiusM, sourceDistanceM: Infinity, incidenceRad, freqHz, speedOfSound, tolerance });
}

// ---------------------------------------------------------------------------------------------
// Interaural time difference of the sphere.

export type SphereItdMethod = 'phase' | 'group';

export interface SphereItdParams {
  radiusM: number;
  /**
   * Source azimuth from the median plane toward the ear at +90 degrees, in the horizontal plane
   * through both ears (ears at +/-90 degrees on the sphere). Rear azimuths are allowed.
   */
  azimuthRad: number;
  /** Frequency at which the delay is taken; 0 gives the low-frequency limit (both methods agree there). */
  freqHz: number;
  /**
   * 'phase' (default): interaural phase delay, ITD = tau_far - tau_near with
   *   tau = -arg H / omega, the interaural phase arg(H_far / H_near) unwrapped continuously
   *   from 0 Hz. Use it at low frequency (e.g. 500 Hz).
   * 'group': interaural group delay, tau = -d(arg H)/d omega at freqHz (central difference).
   *   With bandwidthHz it is averaged over [freqHz - bw/2, freqHz + bw/2] (the unwrapped
   *   interaural phase change across the band over its width in rad/s), which removes the
   *   ripple (about +/-10 % at ka ~ 10) from the wave creeping round the long way to the far
   *   ear. Use the band-averaged group delay for the high-frequency ITD.
   */
  method?: SphereItdMethod;
  bandwidthHz?: number;
  /** Default Infinity (plane wave). */
  sourceDistanceM?: number;
  speedOfSound?: number;
  tolerance?: number;
}

/**
 * ITD of the rigid-sphere model (Duda & Martens series) for a source at azimuthRad, ears at
 * +/-90 degrees: far-ear delay minus near-ear delay (positive when the source is on the +90 degree
 * side, i.e. that ear leads). The near ear sees incidence acos(sin az), the far ear acos(-sin az).
 *
 * Measured behaviour (tests): as freqHz -> 0 both methods give ~3 (a/c) sin az (Kuhn 1977); at
 * high frequency the band-averaged group delay approaches Woodworth's (a/c)(az + sin az).
 */
export function sphereItdS(params: SphereItdParams): number {
  const { radiusM, azimuthRad, freqHz } = params;
  const c = params.speedOfSound ?? DEFAULT_SPEED_OF_SOUND;
  const r = params.sourceDistanceM ?? Infinity;
  const tol = params.tolerance ?? DEFAULT_SERIES_TOLERANCE;
  const method = params.method ?? 'phase';
  checkPositive('radiusM', radiusM);
  checkPositive('speedOfSound', c);
  if (!Number.isFinite(azimuthRad)) throw new RangeError(`azimuthRad must be finite, got ${azimuthRad}`);
  if (!(Number.isFinite(freqHz) && freqHz >= 0)) throw new RangeError(`freqHz must be finite and >= 0, got ${freqHz}`);
  const s = Math.sin(azimuthRad);
  const near = Math.acos(Math.max(-1, Math.min(1, s)));
  const far = Math.acos(Math.max(-1, Math.min(1, -s)));
  const at = (fHz: number, inc: number) =>
    sphereHrtf({ radiusM, sourceDistanceM: r, incidenceRad: inc, freqHz: fHz, speedOfSound: c, tolerance: tol });
  // Interaural transfer G = H_far / H_near; ITD = -arg G / omega (phase) or -d arg G / d omega.
  const argG = (fHz: number): number => {
    const a = at(fHz, far), b = at(fHz, near);
    return Math.atan2(a.im * b.re - a.re * b.im, a.re * b.re + a.im * b.im);
  };
  // Change of arg G from f1 to f2, unwrapped along a grid fine enough that arg G moves far
  // less than pi per step (steps of 1/20 in ka; |ITD| omega changes by < 0.15 rad per step).
  const argGChange = (f1Hz: number, f2Hz: number): number => {
    const dMu = (2 * Math.PI * (f2Hz - f1Hz) * radiusM) / c;
    const steps = Math.max(1, Math.ceil(dMu / 0.05));
    let total = 0;
    let prev = argG(f1Hz);
    for (let i = 1; i <= steps; i++) {
      const cur = argG(f1Hz + ((f2Hz - f1Hz) * i) / steps);
      let dphi = cur - prev;
      dphi -= 2 * Math.PI * Math.round(dphi / (2 * Math.PI));
      total += dphi;
      prev = cur;
    }
    return total;
  };
  if (freqHz === 0 || (method === 'group' && params.bandwidthHz === undefined)) {
    // Group delay by a central difference, step 1e-4 in ka (relative 1e-4 above ka = 1). arg G
    // is odd in frequency (sphereHrtf conjugates for negative frequencies), so the difference is
    // valid down to and at 0 Hz, where it is the low-frequency limit of both methods.
    const df = (1e-4 * c * Math.max(1, (2 * Math.PI * freqHz * radiusM) / c)) / (2 * Math.PI * radiusM);
    let dphi = argG(freqHz + df) - argG(freqHz - df);
    dphi -= 2 * Math.PI * Math.round(dphi / (2 * Math.PI));
    return -dphi / (2 * Math.PI * 2 * df);
  }
  if (method === 'group') {
    const bw = params.bandwidthHz!;
    if (!(Number.isFinite(bw) && bw > 0 && bw / 2 < freqHz)) throw new RangeError(`bandwidthHz must be > 0 and < 2 freqHz, got ${bw}`);
    return -argGChange(freqHz - bw / 2, freqHz + bw / 2) / (2 * Math.PI * bw);
  }
  // arg G(0) = 0 (G(0) is real and positive), so the change from 0 Hz is the unwrapped phase.
  return -argGChange(0, freqHz) / (2 * Math.PI * freqHz);
}
