// Geometry of a driver array and its listener, in the SOFA/AES69 listener frame: origin at the
// nominal listener's head centre, +x straight ahead (toward the device), +y to the listener's
// left, +z up, azimuth counter-clockwise from +x seen from above. Metres and degrees.

export type Vec3 = [number, number, number];

export interface Driver {
  id: string;
  positionM: Vec3;
  /** Unit vector of the driver's on-axis direction. */
  axis: Vec3;
  /** Radiating radius for the baffled-piston directivity. */
  radiusM: number;
  /** Band the driver can reproduce. */
  bandHz: [number, number];
}

export interface Box {
  centerM: Vec3;
  sizeM: Vec3;
}

export interface Listener {
  positionM: Vec3;
  headRadiusM: number;
  /** Head yaw, counter-clockwise from +x. */
  yawDeg: number;
}

export type ChannelName = 'L' | 'R' | 'C';

export interface BeamSettings {
  bandHz: [number, number];
  /** Directions to null, degrees around the device, 0 = toward the listener, counter-clockwise. */
  nullsDeg: number[];
  /** Half-width of the main lobe that should stay flat. */
  mainLobeDeg: number;
  /** White-noise-gain (driver effort) bound. */
  minWhiteNoiseGainDb: number;
}

export interface ArrayGeometry {
  name: string;
  sampleRate: number;
  speedOfSoundMps: number;
  drivers: Driver[];
  enclosures: Box[];
  listener: Listener;
  virtualSpeakerDeg: number;
  /** Target ipsi/contra separation, dB against Hz, piecewise linear in log frequency. */
  cancellationTargetDb: [number, number][];
  /** The drivers each upmixed channel plays through without processing ("plain playback"). */
  homeDrivers: Partial<Record<ChannelName, string[]>>;
  /** Maximum filter gain (driver effort) allowed to the designed filters. */
  effortLimitDb: number;
  beam?: BeamSettings;
}

export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add3 = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale3 = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);
export const unit = (a: Vec3): Vec3 => scale3(a, 1 / norm(a));
export const distance = (a: Vec3, b: Vec3): number => norm(sub(a, b));

/** Angle between two vectors, radians in [0, pi]. */
export function angleBetween(a: Vec3, b: Vec3): number {
  const cosA = dot(a, b) / (norm(a) * norm(b));
  return Math.acos(Math.max(-1, Math.min(1, cosA)));
}

/** Rotate about +z by degrees (counter-clockwise seen from above). */
export function rotateZ(v: Vec3, deg: number): Vec3 {
  const r = (deg * Math.PI) / 180;
  const cs = Math.cos(r), sn = Math.sin(r);
  return [cs * v[0] - sn * v[1], sn * v[0] + cs * v[1], v[2]];
}

/** Unit vector at azimuth/elevation (degrees) in the listener frame. */
export function direction(azimuthDeg: number, elevationDeg = 0): Vec3 {
  const az = (azimuthDeg * Math.PI) / 180, el = (elevationDeg * Math.PI) / 180;
  return [Math.cos(el) * Math.cos(az), Math.cos(el) * Math.sin(az), Math.sin(el)];
}

/** Azimuth and elevation (degrees) of a vector; azimuth in (-180, 180]. */
export function azimuthElevation(v: Vec3): { azimuthDeg: number; elevationDeg: number } {
  return {
    azimuthDeg: (Math.atan2(v[1], v[0]) * 180) / Math.PI,
    elevationDeg: (Math.atan2(v[2], Math.hypot(v[0], v[1])) * 180) / Math.PI,
  };
}

export function arrayCenter(drivers: Driver[]): Vec3 {
  const s = drivers.reduce<Vec3>((acc, d) => add3(acc, d.positionM), [0, 0, 0]);
  return scale3(s, 1 / drivers.length);
}

/** Distance from a point to an axis-aligned box (0 inside). */
export function distanceToBox(p: Vec3, box: Box): number {
  const d = [0, 1, 2].map((i) => Math.max(0, Math.abs(p[i] - box.centerM[i]) - box.sizeM[i] / 2));
  return Math.hypot(d[0], d[1], d[2]);
}

/** Where a listener's head sits: moved (listener frame, metres) and turned (degrees). */
export interface ListenerPose {
  label: string;
  offsetM: Vec3;
  yawDeg: number;
}

export const NOMINAL_POSE: ListenerPose = { label: 'nominal', offsetM: [0, 0, 0], yawDeg: 0 };

/**
 * The robustness grid: one perturbation at a time around the nominal pose: sideways +/-5 and
 * +/-10 cm, toward/away +/-20 cm, head turned +/-10 degrees.
 */
export const ROBUSTNESS_GRID: ListenerPose[] = [
  NOMINAL_POSE,
  ...[-0.1, -0.05, 0.05, 0.1].map((y) => ({ label: `sideways ${y > 0 ? '+' : ''}${Math.round(y * 100)} cm`, offsetM: [0, y, 0] as Vec3, yawDeg: 0 })),
  ...[-0.2, 0.2].map((x) => ({ label: `${x > 0 ? 'toward' : 'away'} ${Math.round(Math.abs(x) * 100)} cm`, offsetM: [x, 0, 0] as Vec3, yawDeg: 0 })),
  ...[-10, 10].map((yaw) => ({ label: `head turned ${yaw > 0 ? '+' : ''}${yaw} deg`, offsetM: [0, 0, 0] as Vec3, yawDeg: yaw })),
];

/** Ear positions for a pose: on the head sphere at +/-90 degrees from the facing direction. */
export function earPositions(listener: Listener, pose: ListenerPose): { left: Vec3; right: Vec3; center: Vec3; yawDeg: number } {
  const center = add3(listener.positionM, pose.offsetM);
  const yawDeg = listener.yawDeg + pose.yawDeg;
  const a = listener.headRadiusM;
  return {
    center,
    yawDeg,
    left: add3(center, scale3(direction(yawDeg + 90), a)),
    right: add3(center, scale3(direction(yawDeg - 90), a)),
  };
}
