// The spatial design against independent routes: realized filters run in the time domain
// through the plant, the target curve, effort, the product bars on a measured head (KEMAR), and
// the filters.json export contract.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import FFT from 'fft.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { type EvalReport, evaluateDesign } from '../src/design/evaluate.ts';
import { type ArrayGeometry, NOMINAL_POSE } from '../src/design/geometry.ts';
import { parseSofa, resampleSet, type HrirSet } from '../src/design/hrtf/sofa.ts';
import { SEPARATION_BANDS, bandGrid, separation } from '../src/design/metrics.ts';
import { driverToEar } from '../src/design/plant.ts';
import { circularImpulseResponse, fftGrid } from '../src/design/realize.ts';
import { type SpatialDesign, designSpatial, designedFilters } from '../src/design/spatial.ts';
import { loadDesign } from '../src/designfile/load.ts';
import { quantizedSnrDb } from '../src/export/filtersJson.ts';
import { PROJECT_ROOT } from '../src/pipeline.ts';
import { prng } from '../src/toolchain/vectors.ts';

const KEMAR = '/usr/share/libmysofa/MIT_KEMAR_normal_pinna.sofa';
const geometryOf = (name: string) => {
  const d = loadDesign(join(PROJECT_ROOT, 'designs', `${name}.json`));
  if (d.kind !== 'geometry') throw new Error(`${name} is not a geometry design`);
  return d;
};
const designs = new Map<string, { g: ArrayGeometry; s: SpatialDesign }>();
let kemar: HrirSet;

beforeAll(async () => {
  kemar = resampleSet(await parseSofa(readFileSync(KEMAR), 'kemar'), 48000);
  for (const n of ['stereo-pair', 'compact-2', 'bar-5', 'studio-3']) {
    const d = geometryOf(n);
    designs.set(n, { g: d.geometry, s: designSpatial(d.geometry, d.spatial, d.blockSize) });
  }
});

function convolve(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    if (ai === 0) continue;
    for (let j = 0; j < b.length; j++) y[i + j] += ai * b[j];
  }
  return y;
}

describe('crosstalk cancellation, checked in the time domain', () => {
  it('stereo-pair: white noise through the realized CTC FIRs and the plant impulse responses gives the separation the frequency-domain metric reports (within 1 dB per band)', () => {
    const { g, s } = designs.get('stereo-pair')!;
    const nfft = 16384;
    const grid = fftGrid(nfft, g.sampleRate);
    // Plant impulse responses driver -> ear (rigid sphere, nominal pose).
    const plantIr = (id: string, ear: 'left' | 'right') => {
      const d = g.drivers.find((x) => x.id === id)!;
      return circularImpulseResponse(driverToEar(g, d, NOMINAL_POSE, ear, grid, { kind: 'sphere' }), nfft).subarray(0, 2048);
    };
    const rand = prng(3);
    const n = 1 << 16;
    const noise = Float64Array.from({ length: n }, () => (rand() / 2 ** 32) * 2 - 1);
    const ears = { left: new Float64Array(n), right: new Float64Array(n) };
    for (const [id, taps] of s.ctc.L.composite) {
      const driverFeed = convolve(noise, taps);
      for (const ear of ['left', 'right'] as const) {
        const y = convolve(driverFeed, plantIr(id, ear));
        for (let i = 0; i < n; i++) ears[ear][i] += y[i];
      }
    }
    // Welch estimate: Hann-windowed 4096-point segments, 50% overlap, after the filters settle.
    const seg = 4096;
    const fft = new FFT(seg);
    const psd = (x: Float64Array) => {
      const p = new Float64Array(seg / 2 + 1);
      const out = fft.createComplexArray() as number[];
      for (let start = 4096; start + seg <= n; start += seg / 2) {
        const w = Array.from({ length: seg }, (_, i) => x[start + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / seg)));
        fft.realTransform(out, w);
        for (let k = 0; k <= seg / 2; k++) p[k] += out[2 * k] ** 2 + out[2 * k + 1] ** 2;
      }
      return p;
    };
    const pl = psd(ears.left), pr = psd(ears.right);
    const freqs = bandGrid(SEPARATION_BANDS);
    const metric = separation(g, designedFilters(s)(freqs), { kind: 'sphere' }).channels.L;
    SEPARATION_BANDS.forEach((b, i) => {
      let a = 0, c = 0;
      for (let k = Math.ceil((b.loHz * seg) / 48000); k <= Math.floor((b.hiHz * seg) / 48000); k++) {
        a += pl[k];
        c += pr[k];
      }
      const timeDomainDb = 10 * Math.log10(a / c);
      expect(Math.abs(timeDomainDb - metric[i]), `band ${Math.round(b.centerHz)} Hz: time domain ${timeDomainDb.toFixed(2)} dB vs metric ${metric[i].toFixed(2)} dB`).toBeLessThan(1);
    });
  });

  it('follows a target that asks for less than the maximum: 10 dB target, within 2 dB per band with the design head and 3 dB median on KEMAR', () => {
    const d = geometryOf('stereo-pair');
    const g: ArrayGeometry = { ...d.geometry, cancellationTargetDb: [[100, 0], [300, 10], [6000, 10], [10000, 6], [16000, 0]] };
    const s = designSpatial(g, { ...d.spatial, ctc: { ...d.spatial.ctc, robustness: 'nominal' } });
    const sphere = evaluateDesign(g, designedFilters(s), 'ctc', { kind: 'sphere' });
    for (const b of sphere.ctc.bandsDb) expect(Math.abs(b.db - 10), `${Math.round(b.hz)} Hz`).toBeLessThan(2);
    const measured = evaluateDesign(g, designedFilters(s), 'ctc', { kind: 'hrtf', set: kemar, label: 'kemar' });
    expect(Math.abs(measured.ctc.separationMedianDb - 10)).toBeLessThan(3);
  });
});

describe('product bars, judged on the measured KEMAR head while the design uses the sphere model', () => {
  const bars: Record<string, { median: number }> = { 'stereo-pair': { median: 15 }, 'compact-2': { median: 18 }, 'bar-5': { median: 18 } };
  const reports = new Map<string, EvalReport>();
  const report = (n: string) => {
    if (!reports.has(n)) {
      const { g, s } = designs.get(n)!;
      reports.set(n, evaluateDesign(g, designedFilters(s), 'designed', { kind: 'hrtf', set: kemar, label: 'kemar' }));
    }
    return reports.get(n)!;
  };
  for (const [n, bar] of Object.entries(bars)) {
    it(`${n}: median separation >= ${bar.median} dB, worst robustness case >= 4 dB, effort within the limit`, () => {
      const r = report(n);
      expect(r.ctc.separationMedianDb).toBeGreaterThanOrEqual(bar.median);
      expect(r.ctc.worstOffsetDb).toBeGreaterThanOrEqual(4);
      expect(r.effort.maxFilterGainDb).toBeLessThanOrEqual(r.effort.limitDb);
    });
  }
  it('studio-3 centre beam (free field, omni point sources): null depth >= 20 dB, droop <= 6 dB, white-noise gain >= -10 dB (medians over bands)', () => {
    const { g, s } = designs.get('studio-3')!;
    const r = evaluateDesign(g, designedFilters(s), 'designed', { kind: 'sphere' });
    const b = r.beam!;
    expect(b.bandHz[0]).toBeLessThanOrEqual(500);
    expect(b.bandHz[1]).toBeGreaterThanOrEqual(2000);
    expect(b.bandHz[1]).toBeLessThan(b.spatialAliasingHz);
    expect(b.nullDepthMedianDb).toBeGreaterThanOrEqual(20);
    expect(b.mainLobeDroopMaxDb).toBeLessThanOrEqual(6);
    expect(b.whiteNoiseGainMedianDb).toBeGreaterThanOrEqual(-10);
    expect(b.withDriverDirectivity.nullDepthMedianDb).toBeGreaterThan(15);
    expect(r.effort.maxFilterGainDb).toBeLessThanOrEqual(r.effort.limitDb);
  });
});

describe('filters.json export (generated/<name>/filters.json)', () => {
  for (const n of ['stereo-pair', 'compact-2', 'bar-5', 'studio-3']) {
    it(`${n}: the brief's contract, and the quantized channels within 90 dB of the float ones`, () => {
      const f = JSON.parse(readFileSync(join(PROJECT_ROOT, 'generated', n, 'filters.json'), 'utf8'));
      const { g } = designs.get(n)!;
      expect(f.name).toBe(n);
      expect(f.sampleRate).toBe(48000);
      expect(f.drivers).toEqual(g.drivers.map((d) => ({ id: d.id, position: d.positionM })));
      expect(f.listener).toEqual({ position: [0, 0, 0] });
      expect(f.cancellationTargetDb).toEqual(g.cancellationTargetDb);
      if (g.beam) expect(f.beam).toEqual({ bandHz: g.beam.bandHz });
      else expect(f.beam).toBeUndefined();
      for (const ch of ['L', 'R']) expect(Object.keys(f.ctc[ch]).sort()).toEqual(g.drivers.map((d) => d.id).sort());
      for (const ch of ['L', 'R', 'C']) {
        for (const h of Object.values(f.channels[ch]) as number[][]) {
          expect(h.length).toBeLessThanOrEqual(16384);
          expect(h.every(Number.isFinite)).toBe(true);
        }
      }
      expect(quantizedSnrDb(f).worstDb).toBeGreaterThanOrEqual(90);
    });
  }
});
