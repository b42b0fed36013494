// Geometry designs (schema and physical checks), directivity, and metrics against closed forms.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { besselJ1, pistonDirectivity } from '../src/design/directivity.ts';
import type { ArrayGeometry, Driver } from '../src/design/geometry.ts';
import { beamMetrics, beamResponse, separation, thirdOctaveBands, bandGrid, plainPlayback, SEPARATION_BANDS } from '../src/design/metrics.ts';
import { DesignFileError } from '../src/designfile/errors.ts';
import { loadDesign, parseDesign } from '../src/designfile/load.ts';
import { PROJECT_ROOT } from '../src/pipeline.ts';
import { runCli } from './helpers.ts';

const designFile = (n: string) => join(PROJECT_ROOT, 'designs', `${n}.json`);

describe('example geometry designs', () => {
  for (const n of ['stereo-pair', 'compact-2', 'studio-3', 'bar-5']) {
    it(`${n} loads`, () => {
      const d = loadDesign(designFile(n));
      expect(d.kind).toBe('geometry');
    });
  }
  it('studio-3 is about 18 cm wide, its beam band covers 500 Hz-2 kHz below the spatial-aliasing limit', () => {
    const d = loadDesign(designFile('studio-3'));
    if (d.kind !== 'geometry') throw new Error();
    const ys = d.geometry.enclosures[0].sizeM[1];
    expect(ys).toBeGreaterThan(0.16);
    expect(ys).toBeLessThan(0.2);
    const [lo, hi] = d.geometry.beam!.bandHz;
    expect(lo).toBeLessThanOrEqual(500);
    expect(hi).toBeGreaterThanOrEqual(2000);
  });
});

describe('physical checks on geometry designs', () => {
  const base = JSON.parse(readFileSync(designFile('compact-2'), 'utf8'));
  const bad = (mutate: (d: any) => void) => {
    const d = structuredClone(base);
    mutate(d);
    try {
      parseDesign('x.json', JSON.stringify(d));
    } catch (e) {
      if (e instanceof DesignFileError) return e.message;
      throw e;
    }
    throw new Error('expected the design to be refused');
  };
  it('coincident drivers', () => {
    expect(bad((d) => (d.drivers[1].position = [2.0, 0.0751, 0]))).toMatch(/x\.json: drivers\[1\]\.position: .*'right'.*coincides with driver 'left'/);
  });
  it('overlapping drivers', () => {
    expect(bad((d) => (d.drivers[1].position = [2.0, 0.04, 0]))).toMatch(/drivers\[1\]\.position: driver 'right' overlaps driver 'left'/);
  });
  it('listener inside the enclosure', () => {
    expect(bad((d) => (d.enclosures[0] = { center: [0.1, 0, 0], sizeM: [0.5, 0.5, 0.5] }))).toMatch(/enclosures\[0\]: the listener's head centre .* is inside this enclosure/);
  });
  it('head touching the enclosure', () => {
    expect(bad((d) => (d.enclosures[0] = { center: [0.3, 0, 0], sizeM: [0.5, 0.5, 0.5] }))).toMatch(/enclosures\[0\]: the listener's head \(radius 0.0875 m.*intersects/);
  });
  it('driver inside the head', () => {
    expect(bad((d) => (d.drivers[0].position = [0.05, 0.0, 0]))).toMatch(/drivers\[0\]\.position: driver 'left' is 0\.050 m from the head centre/);
  });
  it('zero axis, band above Nyquist, decreasing target curve, unknown home driver', () => {
    expect(bad((d) => (d.drivers[0].axis = [0, 0, 0]))).toMatch(/drivers\[0\]\.axis: expected a non-zero direction/);
    expect(bad((d) => (d.drivers[0].bandHz = [100, 30000]))).toMatch(/drivers\[0\]\.bandHz: upper edge 30000 Hz is above Nyquist/);
    expect(bad((d) => (d.cancellationTargetDb = [[1000, 10], [500, 10]]))).toMatch(/cancellationTargetDb\[1\]: frequencies must increase/);
    expect(bad((d) => (d.homeDrivers.L = ['nope']))).toMatch(/homeDrivers\.L\[0\]: 'nope' is not a driver id/);
  });
  it('non-physical values', () => {
    expect(bad((d) => (d.drivers[0].radiusM = -0.01))).toMatch(/drivers\[0\]\.radiusM: .*found -0\.01/);
    expect(bad((d) => (d.speedOfSoundMps = 34))).toMatch(/speedOfSoundMps: .*found 34/);
    expect(bad((d) => (d.sampleRate = 12345))).toMatch(/sampleRate: expected 44100, 48000 or 96000, found 12345/);
  });
  it('a driver missing its position: non-zero exit and the message names position', async () => {
    const d = structuredClone(base);
    delete d.drivers[0].position;
    const file = join(mkdtempSync(join(tmpdir(), 'arrayc-geo-')), 'nopos.json');
    writeFileSync(file, JSON.stringify(d));
    const r = await runCli(['eval', file, '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}: drivers[0].position: missing: expected [x, y, z] in metres`);
  });
});

describe('piston directivity', () => {
  it('J1 matches tabulated values (Abramowitz & Stegun table 9.1)', () => {
    expect(besselJ1(1)).toBeCloseTo(0.4400505857, 9);
    expect(besselJ1(2)).toBeCloseTo(0.5767248078, 9);
    expect(besselJ1(5)).toBeCloseTo(-0.3275791376, 9);
    expect(besselJ1(10)).toBeCloseTo(0.0434727462, 9);
    expect(besselJ1(3.8317059702)).toBeCloseTo(0, 9); // first zero
    expect(besselJ1(30)).toBeCloseTo(-0.1187510626, 6); // asymptotic branch
    expect(besselJ1(-2)).toBeCloseTo(-0.5767248078, 9);
  });
  it('on axis 1, first null where ka sin(theta) = 3.8317, omni at low frequency', () => {
    const c = 343, a = 0.05;
    expect(pistonDirectivity(a, 0, 5000, c)).toBe(1);
    const f = 10000, ka = (2 * Math.PI * f * a) / c;
    const thetaNull = Math.asin(3.8317059702 / ka);
    expect(Math.abs(pistonDirectivity(a, thetaNull, f, c))).toBeLessThan(1e-8);
    expect(pistonDirectivity(a, Math.PI / 2, 50, c)).toBeGreaterThan(0.999);
    expect(pistonDirectivity(a, Math.PI, 50, c)).toBeGreaterThan(0.99);
    expect(pistonDirectivity(a, Math.PI, 10000, c)).toBeLessThan(0.1);
  });
});

/** N omnidirectional drivers on a line along y, facing a listener on +x... device at x = 2 m. */
function lineArray(n: number, spacingM: number): ArrayGeometry {
  const drivers: Driver[] = Array.from({ length: n }, (_, i) => ({
    id: `d${i}`, positionM: [2, (i - (n - 1) / 2) * spacingM, 0], axis: [-1, 0, 0], radiusM: 1e-6, bandHz: [20, 20000],
  }));
  return {
    name: 'line', sampleRate: 48000, speedOfSoundMps: 343, drivers, enclosures: [],
    listener: { positionM: [0, 0, 0], headRadiusM: 0.0875, yawDeg: 0 }, virtualSpeakerDeg: 30,
    cancellationTargetDb: [[1000, 20]], homeDrivers: { L: ['d0'], R: [`d${n - 1}`], C: drivers.map((d) => d.id) }, effortLimitDb: 15,
    beam: { bandHz: [500, 2000], nullsDeg: [90, -90], mainLobeDeg: 45, minWhiteNoiseGainDb: -10 },
  };
}

describe('far-field metrics against closed forms', () => {
  it('delay-and-sum pattern of a uniform line array equals sin(N x)/(N sin x), x = k d sin(phi) / 2', () => {
    const g = lineArray(4, 0.1);
    const freqs = [300, 800, 1500, 2500];
    const w = new Map(g.drivers.map((d) => [d.id, freqs.map(() => ({ re: 0.25, im: 0 }))]));
    for (const phi of [0, 10, 25, 40, 60, 90, 135, -70]) {
      const resp = beamResponse(g, w, freqs, phi, true);
      freqs.forEach((f, k) => {
        const x = (Math.PI * f * 0.1 * Math.sin((phi * Math.PI) / 180)) / 343;
        const expected = Math.abs(x) < 1e-12 ? 1 : Math.abs(Math.sin(4 * x) / (4 * Math.sin(x)));
        expect(Math.hypot(resp[k].re, resp[k].im)).toBeCloseTo(expected, 9);
      });
    }
  });
  it('white-noise gain of N equal weights is 10 log10 N; directivity index of two points matches 2/(1 + sin(kd)/kd)', () => {
    const g = lineArray(2, 0.1);
    const bands = thirdOctaveBands(500, 2000);
    const freqs = bandGrid(bands);
    const w = new Map(g.drivers.map((d) => [d.id, freqs.map(() => ({ re: 1, im: 0 }))]));
    const r = beamMetrics(g, w, bands, true);
    for (const b of r.bands) expect(b.whiteNoiseGainDb).toBeCloseTo(10 * Math.log10(2), 9);
    bands.forEach((b, i) => {
      // Band average of the closed form over the band's sample points (power average of D).
      const mean = b.freqsHz.reduce((acc, f) => {
        const kd = (2 * Math.PI * f * 0.1) / 343;
        return acc + 4 / (2 * (1 + Math.sin(kd) / kd));
      }, 0) / b.freqsHz.length;
      expect(Math.abs(r.bands[i].directivityIndexDb - 10 * Math.log10(mean))).toBeLessThan(0.05);
    });
    // Broadside pair: the null of the pattern is where k d sin(phi) = pi, not at +/-90 below c/(2d).
    expect(r.spatialAliasingHz).toBeCloseTo(343 / 0.2, 6);
  });
  it('free-field separation of omnidirectional drivers is the squared distance ratio', () => {
    const g = lineArray(2, 0.3);
    const freqs = bandGrid(SEPARATION_BANDS);
    const r = separation(g, plainPlayback(g, freqs), { kind: 'free-field' });
    const a = 0.0875;
    // L plays d0 at y = -0.15, on the listener's right (+y is left): its ipsilateral (left) ear
    // is the farther one, so the separation is negative.
    const toLeftEar = Math.hypot(2, -0.15 - a), toRightEar = Math.hypot(2, -0.15 + a);
    const expected = 20 * Math.log10(toRightEar / toLeftEar);
    expect(expected).toBeLessThan(0);
    // 1 micrometre pistons: omnidirectional to ~1e-11 dB at 6 kHz.
    for (const b of r.bandsDb) expect(b.db).toBeCloseTo(expected, 7);
  });
});
