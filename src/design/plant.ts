// The acoustic plant: transfer function from every driver to each ear of a listener, and to
// every far-field direction around the device. Time convention e^{+j omega t}: a delay tau is
// e^{-j omega tau}. Each driver is a point source of unit strength, so free field gives
// e^{-jkr}/r; the driver's directivity and the listener's head multiply that.
import { type Complex, cexpj, cmul, cscale } from './complex.ts';
import { pistonDirectivity } from './directivity.ts';
import {
  type ArrayGeometry,
  type Driver,
  type ListenerPose,
  type Vec3,
  angleBetween,
  arrayCenter,
  azimuthElevation,
  distance,
  dot,
  earPositions,
  rotateZ,
  sub,
  unit,
} from './geometry.ts';
import { brownDudaHead, sphereHrtf } from './head/sphere.ts';
import { type HrirSet, hrirAt, hrtfResponse } from './hrtf/sofa.ts';

export type HeadModel =
  | { kind: 'free-field' }
  | { kind: 'sphere' }
  | { kind: 'brown-duda' }
  | { kind: 'hrtf'; set: HrirSet; label: string };

export function headModelLabel(h: HeadModel): string {
  return h.kind === 'hrtf' ? `hrtf:${h.label}` : h.kind;
}

export type Ear = 'left' | 'right';

/** Driver -> ear responses for one listener pose on a frequency grid: [driver][ear][freq]. */
export interface EarPlant {
  pose: ListenerPose;
  freqsHz: number[];
  /** response[driverIndex].left[k], .right[k] */
  response: { left: Complex[]; right: Complex[] }[];
}

function directivity(d: Driver, towardM: Vec3, freqHz: number, c: number): number {
  return pistonDirectivity(d.radiusM, angleBetween(d.axis, sub(towardM, d.positionM)), freqHz, c);
}

/** Response of one driver at one ear for one head model. */
export function driverToEar(g: ArrayGeometry, d: Driver, pose: ListenerPose, ear: Ear, freqsHz: number[], head: HeadModel): Complex[] {
  const c = g.speedOfSoundMps;
  const ears = earPositions(g.listener, pose);
  const earPos = ears[ear];
  const a = g.listener.headRadiusM;
  if (head.kind === 'free-field') {
    const r = distance(d.positionM, earPos);
    return freqsHz.map((f) => cscale(cexpj((-2 * Math.PI * f * r) / c), directivity(d, earPos, f, c) / r));
  }
  const r = distance(d.positionM, ears.center);
  const toSource = sub(d.positionM, ears.center);
  const base = (f: number) => cscale(cexpj((-2 * Math.PI * f * r) / c), directivity(d, ears.center, f, c) / r);
  if (head.kind === 'sphere' || head.kind === 'brown-duda') {
    const incidenceRad = angleBetween(toSource, sub(earPos, ears.center));
    return freqsHz.map((f) => {
      const h = head.kind === 'sphere'
        ? sphereHrtf({ radiusM: a, sourceDistanceM: r, incidenceRad, freqHz: f, speedOfSound: c })
        : brownDudaHead({ radiusM: a, incidenceRad, freqHz: f, speedOfSound: c });
      return cmul(base(f), h);
    });
  }
  // Measured HRTF: the direction of the driver in the head's own frame picks the HRIR.
  const local = rotateZ(toSource, -ears.yawDeg);
  const { azimuthDeg, elevationDeg } = azimuthElevation(local);
  const hrir = hrirAt(head.set, azimuthDeg, elevationDeg);
  const ir = ear === 'left' ? hrir.left : hrir.right;
  return freqsHz.map((f) => cmul(base(f), hrtfResponse(ir, head.set.sampleRateHz, f)));
}

export function earPlant(g: ArrayGeometry, pose: ListenerPose, freqsHz: number[], head: HeadModel): EarPlant {
  return {
    pose,
    freqsHz,
    response: g.drivers.map((d) => ({
      left: driverToEar(g, d, pose, 'left', freqsHz, head),
      right: driverToEar(g, d, pose, 'right', freqsHz, head),
    })),
  };
}

/** The device's front: from the array centre toward the nominal listener, horizontal. */
export function deviceFront(g: ArrayGeometry): Vec3 {
  const v = sub(g.listener.positionM, arrayCenter(g.drivers));
  return unit([v[0], v[1], 0]);
}

/** Far-field direction at angleDeg around the device (0 = toward the listener, counter-clockwise). */
export function deviceDirection(g: ArrayGeometry, angleDeg: number, elevationDeg = 0): Vec3 {
  const f = rotateZ(deviceFront(g), angleDeg);
  const el = (elevationDeg * Math.PI) / 180;
  return [f[0] * Math.cos(el), f[1] * Math.cos(el), Math.sin(el)];
}

/**
 * Far-field steering response of each driver toward direction u (unit vector), relative to the
 * array centre: directivity x e^{+jk (p - centre) . u}. Omnidirectional when `omni`.
 */
export function farFieldSteering(g: ArrayGeometry, u: Vec3, freqHz: number, omni = false): Complex[] {
  const center = arrayCenter(g.drivers);
  const k = (2 * Math.PI * freqHz) / g.speedOfSoundMps;
  return g.drivers.map((d) => {
    const dir = omni ? 1 : pistonDirectivity(d.radiusM, angleBetween(d.axis, u), freqHz, g.speedOfSoundMps);
    return cscale(cexpj(k * dot(sub(d.positionM, center), u)), dir);
  });
}
