// Evaluation metrics: channel separation at the ears (1/3-octave bands), robustness over listener
// poses, far-field beam pattern, null depth, main-lobe droop, directivity index, white-noise gain,
// maximum filter gain. Every metric takes the channel filters as complex responses on a grid.
import { type Complex, cabs2, cadd, cmul } from './complex.ts';
import {
  type ArrayGeometry,
  type ChannelName,
  type ListenerPose,
  NOMINAL_POSE,
  ROBUSTNESS_GRID,
  distance,
} from './geometry.ts';
import { type HeadModel, deviceDirection, earPlant, farFieldSteering } from './plant.ts';

/** Per channel, per driver id: complex filter response on the grid's frequencies. */
export type ChannelResponses = Partial<Record<ChannelName, Map<string, Complex[]>>>;

export interface Band {
  centerHz: number;
  loHz: number;
  hiHz: number;
  /** Frequencies sampled inside the band (log-spaced). */
  freqsHz: number[];
}

const POINTS_PER_BAND = 12;

/** Base-2 1/3-octave bands (centre 1000 * 2^(k/3)) whose centres lie in [loHz, hiHz]. */
export function thirdOctaveBands(loHz: number, hiHz: number): Band[] {
  const bands: Band[] = [];
  for (let k = -20; k <= 14; k++) {
    const fc = 1000 * 2 ** (k / 3);
    if (fc < loHz * 0.999 || fc > hiHz * 1.001) continue;
    const lo = fc * 2 ** (-1 / 6), hi = fc * 2 ** (1 / 6);
    const freqsHz = Array.from({ length: POINTS_PER_BAND }, (_, i) => lo * (hi / lo) ** ((i + 0.5) / POINTS_PER_BAND));
    bands.push({ centerHz: fc, loHz: lo, hiHz: hi, freqsHz });
  }
  return bands;
}

export const SEPARATION_BANDS = thirdOctaveBands(300, 6000);

export function bandGrid(bands: Band[]): number[] {
  return bands.flatMap((b) => b.freqsHz);
}

/** Unfiltered playback: every channel at unit gain through its home drivers. */
export function plainPlayback(g: ArrayGeometry, freqsHz: number[]): ChannelResponses {
  const out: ChannelResponses = {};
  for (const ch of ['L', 'R', 'C'] as const) {
    const ids = g.homeDrivers[ch];
    if (ids) out[ch] = new Map(ids.map((id) => [id, freqsHz.map(() => ({ re: 1, im: 0 }))]));
  }
  return out;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export { median };

/** Sum over drivers of filter x plant, per frequency. */
function combine(g: ArrayGeometry, filters: Map<string, Complex[]>, plant: (driverIndex: number) => Complex[], n: number): Complex[] {
  const out: Complex[] = Array.from({ length: n }, () => ({ re: 0, im: 0 }));
  g.drivers.forEach((d, i) => {
    const w = filters.get(d.id);
    if (!w) return;
    const h = plant(i);
    for (let k = 0; k < n; k++) out[k] = cadd(out[k], cmul(w[k], h[k]));
  });
  return out;
}

export interface SeparationResult {
  pose: ListenerPose;
  /** Per band: mean over L and R of ipsi/contra band power, dB. */
  bandsDb: { hz: number; db: number }[];
  medianDb: number;
  channels: { L: number[]; R: number[] };
}

/** Channel separation at the ears for one pose. The filters are sampled on bandGrid(bands). */
export function separation(g: ArrayGeometry, filters: ChannelResponses, head: HeadModel, pose: ListenerPose = NOMINAL_POSE, bands = SEPARATION_BANDS): SeparationResult {
  const freqs = bandGrid(bands);
  const plant = earPlant(g, pose, freqs, head);
  const perChannel = (ch: 'L' | 'R'): number[] => {
    const f = filters[ch];
    if (!f) throw new Error(`no filters for channel ${ch}`);
    const left = combine(g, f, (i) => plant.response[i].left, freqs.length);
    const right = combine(g, f, (i) => plant.response[i].right, freqs.length);
    const [ipsi, contra] = ch === 'L' ? [left, right] : [right, left];
    let at = 0;
    return bands.map((b) => {
      let pi = 0, pc = 0;
      for (let k = 0; k < b.freqsHz.length; k++, at++) {
        pi += cabs2(ipsi[at]);
        pc += cabs2(contra[at]);
      }
      return 10 * Math.log10(pi / pc);
    });
  };
  const L = perChannel('L');
  const R = perChannel('R');
  const bandsDb = bands.map((b, i) => ({ hz: b.centerHz, db: (L[i] + R[i]) / 2 }));
  return { pose, bandsDb, medianDb: median(bandsDb.map((x) => x.db)), channels: { L, R } };
}

export interface RobustnessResult {
  poses: { label: string; medianDb: number }[];
  worstDb: number;
  worstPose: string;
}

/** Separation of fixed filters (sampled on bandGrid(SEPARATION_BANDS)) over listener poses. */
export function robustness(g: ArrayGeometry, filters: ChannelResponses, head: HeadModel, grid = ROBUSTNESS_GRID): RobustnessResult {
  const poses = grid.map((p) => ({ label: p.label, medianDb: separation(g, filters, head, p).medianDb }));
  const worst = poses.reduce((a, b) => (b.medianDb < a.medianDb ? b : a));
  return { poses, worstDb: worst.medianDb, worstPose: worst.label };
}

/** Far-field response of one channel at angleDeg around the device, per frequency. */
export function beamResponse(g: ArrayGeometry, filters: Map<string, Complex[]>, freqsHz: number[], angleDeg: number, omni = false): Complex[] {
  const u = deviceDirection(g, angleDeg);
  return freqsHz.map((f, k) => {
    const a = farFieldSteering(g, u, f, omni);
    let s: Complex = { re: 0, im: 0 };
    g.drivers.forEach((d, i) => {
      const w = filters.get(d.id);
      if (w) s = cadd(s, cmul(w[k], a[i]));
    });
    return s;
  });
}

export interface BeamBand {
  hz: number;
  nullDepthDb: number;
  mainLobeDroopDb: number;
  whiteNoiseGainDb: number;
  directivityIndexDb: number;
}

export interface BeamResult {
  bandHz: [number, number];
  directivity: 'omni' | 'piston';
  bands: BeamBand[];
  nullDepthMedianDb: number;
  mainLobeDroopMaxDb: number;
  whiteNoiseGainMinDb: number;
  whiteNoiseGainMedianDb: number;
  directivityIndexMedianDb: number;
  spatialAliasingHz: number;
  /** Polar pattern per band, band power in dB relative to the front, every patternStepDeg. */
  pattern: { hz: number; anglesDeg: number[]; db: number[] }[];
}

/** Fibonacci sphere: n nearly uniform directions, as [azimuthDeg, elevationDeg]. */
function sphereDirections(n: number): [number, number][] {
  const golden = Math.PI * (3 - Math.sqrt(5));
  return Array.from({ length: n }, (_, i) => {
    const z = 1 - (2 * (i + 0.5)) / n;
    return [((i * golden * 180) / Math.PI) % 360, (Math.asin(z) * 180) / Math.PI];
  });
}

/** c / (2 x the largest nearest-neighbour spacing of the drivers). */
export function spatialAliasingHz(g: ArrayGeometry): number {
  let worst = 0;
  g.drivers.forEach((d, i) => {
    let nearest = Infinity;
    g.drivers.forEach((e, j) => { if (i !== j) nearest = Math.min(nearest, distance(d.positionM, e.positionM)); });
    worst = Math.max(worst, nearest);
  });
  return g.speedOfSoundMps / (2 * worst);
}

/**
 * Beam metrics of one channel (filters sampled on bandGrid(bands)) over the design's beam band:
 * null depth (front vs the worse of the null directions), main-lobe droop (largest drop within
 * +/-mainLobeDeg), white-noise gain |w.a(front)|^2 / |w|^2, directivity index over the sphere.
 */
export function beamMetrics(g: ArrayGeometry, filters: Map<string, Complex[]>, bands: Band[], omni: boolean, patternStepDeg = 5): BeamResult {
  const beam = g.beam!;
  const freqs = bandGrid(bands);
  const bandPower = (resp: Complex[]) => {
    let at = 0;
    return bands.map((b) => {
      let p = 0;
      for (let k = 0; k < b.freqsHz.length; k++, at++) p += cabs2(resp[at]);
      return p;
    });
  };
  const db = (p: number) => 10 * Math.log10(p);
  const front = bandPower(beamResponse(g, filters, freqs, 0, omni));
  const nulls = beam.nullsDeg.map((a) => bandPower(beamResponse(g, filters, freqs, a, omni)));
  const lobeAngles: number[] = [];
  for (let a = -beam.mainLobeDeg; a <= beam.mainLobeDeg + 1e-9; a += 2.5) lobeAngles.push(a);
  const lobe = lobeAngles.map((a) => bandPower(beamResponse(g, filters, freqs, a, omni)));
  const patternAngles: number[] = [];
  for (let a = -180; a < 180; a += patternStepDeg) patternAngles.push(a);
  const pattern = patternAngles.map((a) => bandPower(beamResponse(g, filters, freqs, a, omni)));
  const dirs = sphereDirections(400);
  const sphere = dirs.map(([az, el]) => {
    const u = deviceDirection(g, az, el);
    return freqs.map((f, k) => {
      const a = farFieldSteering(g, u, f, omni);
      let s: Complex = { re: 0, im: 0 };
      g.drivers.forEach((d, i) => { const w = filters.get(d.id); if (w) s = cadd(s, cmul(w[k], a[i])); });
      return cabs2(s);
    });
  });
  const frontU = deviceDirection(g, 0);
  let at = 0;
  const bandsOut: BeamBand[] = bands.map((b, bi) => {
    let wng = 0, di = 0;
    for (let k = 0; k < b.freqsHz.length; k++, at++) {
      const a = farFieldSteering(g, frontU, freqs[at], omni);
      let num: Complex = { re: 0, im: 0 };
      let den = 0;
      g.drivers.forEach((d, i) => {
        const w = filters.get(d.id);
        if (!w) return;
        num = cadd(num, cmul(w[at], a[i]));
        den += cabs2(w[at]);
      });
      wng += cabs2(num) / den;
      const mean = sphere.reduce((acc, row) => acc + row[at], 0) / sphere.length;
      di += cabs2(num) / mean;
    }
    return {
      hz: b.centerHz,
      nullDepthDb: Math.min(...nulls.map((n) => db(front[bi]) - db(n[bi]))),
      mainLobeDroopDb: Math.max(...lobe.map((l) => db(front[bi]) - db(l[bi]))),
      whiteNoiseGainDb: db(wng / b.freqsHz.length),
      directivityIndexDb: db(di / b.freqsHz.length),
    };
  });
  return {
    bandHz: beam.bandHz,
    directivity: omni ? 'omni' : 'piston',
    bands: bandsOut,
    nullDepthMedianDb: median(bandsOut.map((b) => b.nullDepthDb)),
    mainLobeDroopMaxDb: median(bandsOut.map((b) => b.mainLobeDroopDb)),
    whiteNoiseGainMinDb: Math.min(...bandsOut.map((b) => b.whiteNoiseGainDb)),
    whiteNoiseGainMedianDb: median(bandsOut.map((b) => b.whiteNoiseGainDb)),
    directivityIndexMedianDb: median(bandsOut.map((b) => b.directivityIndexDb)),
    spatialAliasingHz: spatialAliasingHz(g),
    pattern: bands.map((b, bi) => ({ hz: b.centerHz, anglesDeg: patternAngles, db: pattern.map((p) => db(p[bi]) - db(front[bi])) })),
  };
}

/** Largest filter magnitude over channels, drivers and frequencies (driver effort), dB. */
export function maxFilterGainDb(filters: ChannelResponses): number {
  let m = 0;
  for (const ch of Object.values(filters)) for (const w of ch!.values()) for (const v of w) m = Math.max(m, cabs2(v));
  return 10 * Math.log10(m);
}
