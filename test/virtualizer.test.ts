// Stereo virtualizer (src/design/virtualizer.ts) against the rigid-sphere model evaluated here
// directly with sphereHrtf: the ear incidences are derived in this file from the listener frame
// (+x ahead, +y left, ears on the y axis), the relative HRTF H_contra / H_ipsi and its
// low-frequency phase slope are computed here, and the realized paths are evaluated with
// sosResponse (and a time-domain impulse response for the all-pass). Nothing from the design's own
// report is trusted for the product requirements; the report is only checked against these
// independent numbers.
import { describe, expect, it } from 'vitest';
import { type Complex, cdiv } from '../src/design/complex.ts';
import { sosResponse } from '../src/design/filters.ts';
import { filterSection, normalizeSos } from '../src/design/graph.ts';
import { sphereHrtf } from '../src/design/head/sphere.ts';
import { type VirtualizerDesign, designVirtualizer } from '../src/design/virtualizer.ts';

const A = 0.0875;
const C = 343;
const rad = (deg: number) => (deg * Math.PI) / 180;

interface Case {
  angleDeg: number;
  sampleRate: number;
  sourceDistanceM?: number;
}
const CASES: Case[] = [
  ...[10, 20, 30, 45, 60, 75, 90].map((angleDeg) => ({ angleDeg, sampleRate: 48000 })),
  { angleDeg: 30, sampleRate: 44100 },
  { angleDeg: 45, sampleRate: 48000, sourceDistanceM: 0.5 },
];
const label = (c: Case) => `${c.angleDeg} deg @ ${c.sampleRate} Hz${c.sourceDistanceM ? `, source at ${c.sourceDistanceM} m` : ''}`;

const designs = new Map<string, VirtualizerDesign>();
function design(c: Case): VirtualizerDesign {
  const key = label(c);
  if (!designs.has(key)) designs.set(key, designVirtualizer(c));
  return designs.get(key)!;
}

/** Incidence at the centre between the source direction and each ear's axis, listener frame. */
function incidences(angleDeg: number): { left: number; right: number } {
  const src = [Math.cos(rad(angleDeg)), Math.sin(rad(angleDeg)), 0];
  const ang = (ear: number[]) => Math.acos(Math.max(-1, Math.min(1, src[0] * ear[0] + src[1] * ear[1] + src[2] * ear[2])));
  return { left: ang([0, 1, 0]), right: ang([0, -1, 0]) };
}

/** Model relative HRTF H_contra / H_ipsi for a source on the left (ipsi = left ear). */
function modelRatio(c: Case, fHz: number): Complex {
  const { left, right } = incidences(c.angleDeg);
  const h = (inc: number) => sphereHrtf({ radiusM: A, sourceDistanceM: c.sourceDistanceM ?? Infinity, incidenceRad: inc, freqHz: fHz, speedOfSound: C });
  return cdiv(h(right), h(left));
}

/** Realized (contra path) / (ipsi path) = z^-D C / A. */
function realizedRatio(d: VirtualizerDesign, fHz: number, fs: number): Complex {
  const [cr, ci] = sosResponse(d.contraSos, fHz, fs);
  const [ar, ai] = sosResponse(d.ipsiSos, fHz, fs);
  const w = (2 * Math.PI * fHz) / fs;
  const delay = { re: Math.cos(w * d.contraDelaySamples), im: -Math.sin(w * d.contraDelaySamples) };
  return cdiv({ re: cr * delay.re - ci * delay.im, im: cr * delay.im + ci * delay.re }, { re: ar, im: ai });
}

const db = (z: Complex) => 10 * Math.log10(z.re * z.re + z.im * z.im);

/**
 * Low-frequency group delay in samples from the phase slope between 5 and 20 Hz (the phase there
 * is below 0.1 rad, so no unwrapping is involved).
 */
function lowFrequencyDelaySamples(h: (fHz: number) => Complex, fs: number): number {
  const f1 = 5, f2 = 20;
  const z1 = h(f1), z2 = h(f2);
  const dphi = Math.atan2(z2.im * z1.re - z2.re * z1.im, z2.re * z1.re + z2.im * z1.im); // arg(z2 / z1)
  return (-dphi / (2 * Math.PI * (f2 - f1))) * fs;
}

/** Roots of b0 + b1 z^-1 + b2 z^-2 (b2 may be 0), as radii. */
function rootRadii(b0: number, b1: number, b2: number): number[] {
  if (b2 === 0) return b1 === 0 ? [] : [Math.abs(-b1 / b0)];
  const disc = b1 * b1 - 4 * b0 * b2;
  if (disc >= 0) return [(-b1 + Math.sqrt(disc)) / (2 * b0), (-b1 - Math.sqrt(disc)) / (2 * b0)].map(Math.abs);
  return [Math.sqrt(b2 / b0), Math.sqrt(b2 / b0)];
}

const logGrid = (lo: number, hi: number, perOctave: number) => {
  const n = Math.round(Math.log2(hi / lo) * perOctave);
  return Array.from({ length: n + 1 }, (_, i) => lo * (hi / lo) ** (i / n));
};

describe('designVirtualizer: product requirements', () => {
  for (const c of CASES) {
    describe(label(c), () => {
      it('ipsilateral path is an all-pass: numerator = reversed denominator, flat within 0.01 dB, unit energy', () => {
        const d = design(c);
        expect(d.ipsiSos.length).toBeLessThanOrEqual(1);
        for (const s of d.ipsiSos) {
          const [b0, b1, b2, a0, a1, a2] = s;
          if (b2 === 0 && a2 === 0) expect([b0, b1]).toEqual([a1, a0]); // first order
          else expect([b0, b1, b2]).toEqual([a2, a1, a0]);
        }
        let worst = 0;
        for (let k = 0; k <= 2000; k++) {
          const [re, im] = sosResponse(d.ipsiSos, (k / 2000) * (c.sampleRate / 2), c.sampleRate);
          worst = Math.max(worst, Math.abs(db({ re, im })));
        }
        expect(worst).toBeLessThan(0.01);
        expect(worst).toBeLessThan(1e-9); // by construction, not by fitting
        // Time domain: an all-pass keeps the energy of an impulse.
        let h: Float64Array = new Float64Array(1 << 15);
        h[0] = 1;
        for (const s of d.ipsiSos) h = filterSection(normalizeSos(s), h);
        expect(h.reduce((acc, v) => acc + v * v, 0)).toBeCloseTo(1, 9);
        expect(d.report.allpassRippleDb).toBeLessThan(1e-9);
      });

      it('contralateral magnitude within 1 dB of |H_contra / H_ipsi| from 50 Hz to 8 kHz', () => {
        const d = design(c);
        let worst = 0;
        for (const f of logGrid(50, 8000, 96)) {
          const [re, im] = sosResponse(d.contraSos, f, c.sampleRate);
          worst = Math.max(worst, Math.abs(db({ re, im }) - db(modelRatio(c, f))));
        }
        expect(worst).toBeLessThan(1);
        // The report measures the same thing on a coarser grid.
        expect(Math.abs(d.report.maxMagnitudeErrorDb - worst)).toBeLessThan(0.1);
      });

      it('relative delay (low-frequency group delay of contra/ipsi) within 1 sample of the model', () => {
        const d = design(c);
        expect(Number.isInteger(d.contraDelaySamples)).toBe(true);
        expect(d.contraDelaySamples).toBeGreaterThanOrEqual(0);
        const model = lowFrequencyDelaySamples((f) => modelRatio(c, f), c.sampleRate);
        const realized = lowFrequencyDelaySamples((f) => realizedRatio(d, f, c.sampleRate), c.sampleRate);
        expect(Math.abs(realized - model)).toBeLessThan(1);
        // Designed to match exactly at 0 Hz; between 5 and 20 Hz both curves move by < 0.05 sample.
        expect(Math.abs(realized - model)).toBeLessThan(0.05);
        // The design's definition (0 Hz group delay of G) agrees with this estimate.
        expect(Math.abs(d.report.modelDelaySamples - model)).toBeLessThan(0.05);
        expect(Math.abs(d.report.delayErrorSamples)).toBeLessThan(1e-6);
      });

      it('every section is stable and the contralateral sections are minimum phase', () => {
        const d = design(c);
        for (const [b0, b1, b2, a0, a1, a2] of [...d.ipsiSos, ...d.contraSos]) {
          expect(Math.max(...rootRadii(a0, a1, a2))).toBeLessThan(1);
          expect([b0, b1, b2, a0, a1, a2].every(Number.isFinite)).toBe(true);
        }
        for (const [b0, b1, b2] of d.contraSos) expect(Math.max(...rootRadii(b0, b1, b2))).toBeLessThan(1);
        expect(d.contraSos.length).toBeGreaterThanOrEqual(1);
        expect(d.contraSos.length).toBeLessThanOrEqual(3);
      });
    });
  }
});

describe('designVirtualizer: model and conventions', () => {
  it('the model ITD at 90 degrees is the low-frequency sphere ITD 3 a/c ~ 0.765 ms (Kuhn 1977)', () => {
    const c: Case = { angleDeg: 90, sampleRate: 48000 };
    const itdS = lowFrequencyDelaySamples((f) => modelRatio(c, f), c.sampleRate) / c.sampleRate;
    expect(itdS).toBeGreaterThan(0.74e-3);
    expect(itdS).toBeLessThan(0.79e-3);
    expect(Math.abs(itdS / ((3 * A) / C) - 1)).toBeLessThan(0.01);
    expect(Math.abs(design(c).report.itdSeconds - itdS)).toBeLessThan(1e-6);
    // ... and well above Woodworth's high-frequency value (a/c)(pi/2 + 1) = 0.656 ms.
    expect(itdS).toBeGreaterThan(1.1 * (A / C) * (Math.PI / 2 + 1));
  });

  it('the contralateral path is a head-shadow low-pass: ~0 dB at 50 Hz, several dB down at 8 kHz', () => {
    for (const angleDeg of [30, 90]) {
      const d = design({ angleDeg, sampleRate: 48000 });
      const at = (f: number) => {
        const [re, im] = sosResponse(d.contraSos, f, 48000);
        return db({ re, im });
      };
      expect(Math.abs(at(50))).toBeLessThan(0.3);
      expect(at(8000)).toBeLessThan(-4);
    }
  });

  it('-theta gives the same filters with the ears swapped; the design is deterministic', () => {
    for (const angleDeg of [30, 75]) {
      const pos = design({ angleDeg, sampleRate: 48000 });
      const neg = designVirtualizer({ angleDeg: -angleDeg, sampleRate: 48000 });
      expect(neg.ipsiSos).toEqual(pos.ipsiSos);
      expect(neg.contraSos).toEqual(pos.contraSos);
      expect(neg.contraDelaySamples).toBe(pos.contraDelaySamples);
      expect(pos.report.ipsilateralEar).toBe('left');
      expect(neg.report.ipsilateralEar).toBe('right');
    }
    // The swap is right: at -30 deg the right ear faces the source.
    const { left, right } = incidences(-30);
    expect(right).toBeLessThan(left);
    const again = designVirtualizer({ angleDeg: 90, sampleRate: 48000 });
    expect(again).toEqual(design({ angleDeg: 90, sampleRate: 48000 }));
  });

  it('straight ahead needs nothing: empty filters, zero delay', () => {
    const d = designVirtualizer({ angleDeg: 0, sampleRate: 48000 });
    expect(d.ipsiSos).toEqual([]);
    expect(d.contraSos).toEqual([]);
    expect(d.contraDelaySamples).toBe(0);
  });

  it('rejects bad parameters', () => {
    expect(() => designVirtualizer({ angleDeg: 30, sampleRate: 0 })).toThrow(RangeError);
    expect(() => designVirtualizer({ angleDeg: Number.NaN, sampleRate: 48000 })).toThrow(RangeError);
    expect(() => designVirtualizer({ angleDeg: 30, sampleRate: 48000, sourceDistanceM: 0.05 })).toThrow(RangeError);
    expect(() => designVirtualizer({ angleDeg: 30, sampleRate: 48000, maxContraSections: 0 })).toThrow(RangeError);
  });
});
