// Brown & Duda (1998, IEEE Trans. Speech Audio Process. 6(5) 476-488, "A structural model for
// binaural sound synthesis") head model, and Woodworth's ITD formula.
//
// Conventions: time e^{+j omega t} (a delay tau is e^{-j omega tau}; s = j omega in their Laplace
// form). incidenceRad is the angle at the head centre between the source direction and the ear's
// axis (the centre->ear ray), folded into [0, pi]. The response is relative to the free-field
// pressure at the head centre, like sphereHrtf, so the delay term is relative to arrival at the
// centre (negative for an ear facing the source).
import type { Complex } from '../complex.ts';

const DEFAULT_C = 343;
/** Brown & Duda's fit to the rigid sphere: minimum high-frequency gain alpha_min at theta_min. */
export const BROWN_DUDA_ALPHA_MIN = 0.1;
export const BROWN_DUDA_THETA_MIN_RAD = (150 * Math.PI) / 180;

function checkPositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a finite number > 0, got ${v}`);
}

/** Any real angle folded to the unsigned angle in [0, pi] (angle between two rays). */
function foldAngle(rad: number): number {
  if (!Number.isFinite(rad)) throw new RangeError(`angle must be finite, got ${rad}`);
  const t = ((rad % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI); // [0, 2 pi)
  return t > Math.PI ? 2 * Math.PI - t : t;
}

/** alpha(theta) = (1 + alpha_min/2) + (1 - alpha_min/2) cos(theta/theta_min * pi): the HF gain. */
export function brownDudaAlpha(incidenceRad: number): number {
  const th = foldAngle(incidenceRad);
  return 1 + BROWN_DUDA_ALPHA_MIN / 2 + (1 - BROWN_DUDA_ALPHA_MIN / 2) * Math.cos((th / BROWN_DUDA_THETA_MIN_RAD) * Math.PI);
}

/**
 * Head-shadow filter only: (1 + j alpha omega/(2 omega0)) / (1 + j omega/(2 omega0)), omega0 = c/a.
 * Unity at 0 Hz, alpha(theta) at high frequency (+6 dB at theta = 0, -20 dB at theta = 150 deg).
 */
export function brownDudaShadow(params: { radiusM: number; incidenceRad: number; freqHz: number; speedOfSound?: number }): Complex {
  const c = params.speedOfSound ?? DEFAULT_C;
  checkPositive('radiusM', params.radiusM);
  checkPositive('speedOfSound', c);
  if (!Number.isFinite(params.freqHz)) throw new RangeError(`freqHz must be finite, got ${params.freqHz}`);
  const alpha = brownDudaAlpha(params.incidenceRad);
  const u = (2 * Math.PI * params.freqHz * params.radiusM) / (2 * c); // omega / (2 omega0)
  // (1 + j alpha u) / (1 + j u)
  const d = 1 + u * u;
  return { re: (1 + alpha * u * u) / d, im: ((alpha - 1) * u) / d };
}

/**
 * Brown & Duda's delay to the ear relative to arrival at the head centre (seconds):
 *   T = -(a/c) cos theta for 0 <= theta < pi/2,  (a/c)(theta - pi/2) for pi/2 <= theta <= pi.
 * (Their paper adds a/c to make it causal; that constant is left out here.)
 */
export function brownDudaDelayS(radiusM: number, incidenceRad: number, speedOfSound = DEFAULT_C): number {
  checkPositive('radiusM', radiusM);
  checkPositive('speedOfSound', speedOfSound);
  const th = foldAngle(incidenceRad);
  const aOverC = radiusM / speedOfSound;
  return th < Math.PI / 2 ? -aOverC * Math.cos(th) : aOverC * (th - Math.PI / 2);
}

/**
 * Brown & Duda head model: shadow filter x e^{-j omega T(theta)}, normalized by free field at the
 * head centre.
 */
export function brownDudaHead(params: { radiusM: number; incidenceRad: number; freqHz: number; speedOfSound?: number }): Complex {
  const c = params.speedOfSound ?? DEFAULT_C;
  const h = brownDudaShadow(params);
  const phi = -2 * Math.PI * params.freqHz * brownDudaDelayS(params.radiusM, params.incidenceRad, c);
  const cr = Math.cos(phi), ci = Math.sin(phi);
  return { re: h.re * cr - h.im * ci, im: h.re * ci + h.im * cr };
}

/**
 * Woodworth's ITD for a far source, ears at +/-90 degrees: (a/c)(theta + sin theta) with theta the
 * azimuth from the median plane, for theta in [0, pi/2]. Extended as an odd function of azimuth
 * (positive toward the ear at +90 degrees) and front-back symmetric (a rear azimuth uses
 * pi - |theta|), i.e. a function of the lateral angle only.
 */
export function woodworthItdS(radiusM: number, azimuthRad: number, speedOfSound = DEFAULT_C): number {
  checkPositive('radiusM', radiusM);
  checkPositive('speedOfSound', speedOfSound);
  if (!Number.isFinite(azimuthRad)) throw new RangeError(`azimuthRad must be finite, got ${azimuthRad}`);
  // Lateral angle in [-pi/2, pi/2]: asin(sin az) folds the rear onto the front.
  const lat = Math.asin(Math.max(-1, Math.min(1, Math.sin(azimuthRad))));
  return (radiusM / speedOfSound) * (lat + Math.sin(lat));
}
