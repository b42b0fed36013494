// Geometry designs: where the drivers are, where the listener sits, what the sound should do.
// Schema (zod) plus the physical checks a schema cannot express.
import { z } from 'zod';
import {
  type ArrayGeometry,
  type Vec3,
  distance,
  distanceToBox,
  norm,
  unit,
} from '../design/geometry.ts';
import { DEFAULT_SPATIAL_SETTINGS, type SpatialSettings } from '../design/spatial.ts';
import { TARGETS } from '../toolchain/targets.ts';

const finite = z.number().finite();
const vec3 = z.tuple([finite, finite, finite], { error: 'expected [x, y, z] in metres' });
const ident = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'expected an identifier (letter, then letters, digits or _)');
const hzPair = z.tuple([finite.positive(), finite.positive()], { error: 'expected [low, high] in Hz' });

const driver = z.strictObject({
  id: ident,
  position: vec3,
  axis: vec3,
  radiusM: finite.positive().max(0.5),
  bandHz: hzPair,
});

const box = z.strictObject({ center: vec3, sizeM: z.tuple([finite.positive(), finite.positive(), finite.positive()], { error: 'expected [dx, dy, dz], each > 0 m' }) });

export const geometryDesignSchema = z.strictObject({
  kind: z.literal('geometry'),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lower-case letters, digits and -'),
  description: z.string().optional(),
  sampleRate: z.union([z.literal(44100), z.literal(48000), z.literal(96000)], { error: 'expected 44100, 48000 or 96000' }),
  speedOfSoundMps: finite.min(300).max(400).default(343),
  drivers: z.array(driver).min(1).max(32),
  enclosures: z.array(box).default([]),
  listener: z.strictObject({
    position: vec3.default([0, 0, 0]),
    headRadiusM: finite.min(0.05).max(0.15).default(0.0875),
    yawDeg: finite.min(-180).max(180).default(0),
  }),
  virtualSpeakerDeg: finite.min(5).max(90),
  cancellationTargetDb: z.array(z.tuple([finite.positive(), finite.min(0).max(60)], { error: 'expected [Hz, dB] with dB in [0, 60]' })).min(1),
  homeDrivers: z.strictObject({ L: z.array(ident).min(1), R: z.array(ident).min(1), C: z.array(ident).min(1).optional() }),
  effortLimitDb: finite.min(0).max(40).default(15),
  beam: z
    .strictObject({
      bandHz: hzPair,
      nullsDeg: z.array(finite.min(-180).max(180)).default([90, -90]),
      mainLobeDeg: finite.min(0).max(90).default(45),
      minWhiteNoiseGainDb: finite.min(-40).max(10).default(-10),
      delaySamples: z.number().int().min(0).max(4096).default(DEFAULT_SPATIAL_SETTINGS.beam.delaySamples),
      maxTaps: z.number().int().min(64).max(4096).default(DEFAULT_SPATIAL_SETTINGS.beam.maxTaps),
    })
    .optional(),
  ctc: z
    .strictObject({
      robustness: z.enum(['nominal', 'near', 'grid']).default(DEFAULT_SPATIAL_SETTINGS.ctc.robustness),
      form: z.enum(['auto', 'rtf', 'direct']).default(DEFAULT_SPATIAL_SETTINGS.ctc.form),
      modellingDelaySamples: z.number().int().min(0).max(4096).default(DEFAULT_SPATIAL_SETTINGS.ctc.modellingDelaySamples),
      rtfDelaySamples: z.number().int().min(0).max(1024).default(DEFAULT_SPATIAL_SETTINGS.ctc.rtfDelaySamples),
      maxTaps: z.number().int().min(64).max(4096).default(DEFAULT_SPATIAL_SETTINGS.ctc.maxTaps),
      realizationErrorDb: finite.min(-80).max(0).default(DEFAULT_SPATIAL_SETTINGS.ctc.realizationErrorDb),
    })
    .default({ ...DEFAULT_SPATIAL_SETTINGS.ctc }),
  upmix: z.strictObject({ timeConstantS: finite.min(0.005).max(2).default(0.05) }).default({ timeConstantS: 0.05 }),
  fixedPoint: z.strictObject({ blockSize: z.number().int().min(1).max(4096).default(48) }).default({ blockSize: 48 }),
  target: z.enum(TARGETS).default('cortex-m4'),
});

export type GeometryDesign = z.infer<typeof geometryDesignSchema>;

/** Minimum centre-to-centre spacing: closer drivers are treated as coincident. */
const MIN_DRIVER_SPACING_M = 0.01;

/** Physical checks; issues are [fieldPath, message]. */
export function geometryDesignToModel(d: GeometryDesign): { geometry?: ArrayGeometry; spatial: SpatialSettings; blockSize: number; upmixTimeConstantS: number; issues: [string, string][] } {
  const spatial: SpatialSettings = {
    nfft: DEFAULT_SPATIAL_SETTINGS.nfft,
    ctc: d.ctc,
    beam: { ...DEFAULT_SPATIAL_SETTINGS.beam, ...(d.beam ? { delaySamples: d.beam.delaySamples, maxTaps: d.beam.maxTaps } : {}) },
  };
  const issues: [string, string][] = [];
  const fmt = (v: Vec3) => `[${v.map((x) => x.toFixed(3)).join(', ')}]`;
  const ids = new Map<string, number>();
  d.drivers.forEach((dr, i) => {
    if (ids.has(dr.id)) issues.push([`drivers[${i}].id`, `duplicate driver id '${dr.id}'`]);
    ids.set(dr.id, i);
    if (norm(dr.axis) < 1e-9) issues.push([`drivers[${i}].axis`, 'expected a non-zero direction vector, got [0, 0, 0]']);
    const [lo, hi] = dr.bandHz;
    if (!(lo < hi)) issues.push([`drivers[${i}].bandHz`, `expected low < high, got [${lo}, ${hi}]`]);
    if (hi > d.sampleRate / 2) issues.push([`drivers[${i}].bandHz`, `upper edge ${hi} Hz is above Nyquist (${d.sampleRate / 2} Hz)`]);
    for (let j = 0; j < i; j++) {
      const sep = distance(dr.position, d.drivers[j].position);
      const other = d.drivers[j];
      if (sep < MIN_DRIVER_SPACING_M) {
        issues.push([`drivers[${i}].position`, `driver '${dr.id}' at ${fmt(dr.position)} coincides with driver '${other.id}' (${sep.toFixed(4)} m apart; need at least ${MIN_DRIVER_SPACING_M} m)`]);
      } else if (sep < dr.radiusM + other.radiusM) {
        issues.push([`drivers[${i}].position`, `driver '${dr.id}' overlaps driver '${other.id}': centres ${sep.toFixed(3)} m apart, radii ${dr.radiusM} + ${other.radiusM} m`]);
      }
    }
  });
  const head = d.listener.position as Vec3;
  const a = d.listener.headRadiusM;
  d.enclosures.forEach((b, i) => {
    const gap = distanceToBox(head, { centerM: b.center, sizeM: b.sizeM });
    if (gap < a) {
      issues.push([`enclosures[${i}]`, gap === 0 ? `the listener's head centre ${fmt(head)} is inside this enclosure` : `the listener's head (radius ${a} m at ${fmt(head)}) intersects this enclosure (${gap.toFixed(3)} m from its surface)`]);
    }
  });
  d.drivers.forEach((dr, i) => {
    const r = distance(dr.position, head);
    if (r < a + 0.05) issues.push([`drivers[${i}].position`, `driver '${dr.id}' is ${r.toFixed(3)} m from the head centre: inside or touching the head (radius ${a} m); expected at least ${(a + 0.05).toFixed(3)} m`]);
  });
  const curve = d.cancellationTargetDb;
  curve.forEach(([hz], k) => {
    if (k > 0 && !(hz > curve[k - 1][0])) issues.push([`cancellationTargetDb[${k}]`, `frequencies must increase: ${hz} Hz follows ${curve[k - 1][0]} Hz`]);
    if (hz > d.sampleRate / 2) issues.push([`cancellationTargetDb[${k}]`, `${hz} Hz is above Nyquist (${d.sampleRate / 2} Hz)`]);
  });
  for (const ch of ['L', 'R', 'C'] as const) {
    (d.homeDrivers[ch] ?? []).forEach((id, k) => {
      if (!ids.has(id)) issues.push([`homeDrivers.${ch}[${k}]`, `'${id}' is not a driver id (drivers: ${[...ids.keys()].join(', ')})`]);
    });
  }
  if (d.beam) {
    const [lo, hi] = d.beam.bandHz;
    if (!(lo < hi)) issues.push(['beam.bandHz', `expected low < high, got [${lo}, ${hi}]`]);
    if (hi > d.sampleRate / 2) issues.push(['beam.bandHz', `upper edge ${hi} Hz is above Nyquist`]);
    if (d.drivers.length < 2) issues.push(['beam', 'a beam needs at least two drivers']);
  }
  if (issues.length) return { blockSize: d.fixedPoint.blockSize, upmixTimeConstantS: d.upmix.timeConstantS, spatial, issues };
  return {
    blockSize: d.fixedPoint.blockSize,
    upmixTimeConstantS: d.upmix.timeConstantS,
    spatial,
    issues,
    geometry: {
      name: d.name,
      sampleRate: d.sampleRate,
      speedOfSoundMps: d.speedOfSoundMps,
      drivers: d.drivers.map((dr) => ({ id: dr.id, positionM: dr.position, axis: unit(dr.axis), radiusM: dr.radiusM, bandHz: dr.bandHz })),
      enclosures: d.enclosures.map((b) => ({ centerM: b.center, sizeM: b.sizeM })),
      listener: { positionM: head, headRadiusM: a, yawDeg: d.listener.yawDeg },
      virtualSpeakerDeg: d.virtualSpeakerDeg,
      cancellationTargetDb: curve,
      homeDrivers: d.homeDrivers,
      effortLimitDb: d.effortLimitDb,
      beam: d.beam && { bandHz: d.beam.bandHz, nullsDeg: d.beam.nullsDeg, mainLobeDeg: d.beam.mainLobeDeg, minWhiteNoiseGainDb: d.beam.minWhiteNoiseGainDb },
    },
  };
}
