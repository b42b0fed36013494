// SOFA parsing, HRIR interpolation and resampling against the MIT KEMAR set libmysofa ships, with
// h5dump (the HDF5 project's own reader) as the independent route to the stored values.
import { execa } from 'execa';
import h5wasm from 'h5wasm';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type HrirSet,
  createHrirInterpolator,
  hrirAt,
  hrirOnsetSamples,
  hrtfResponse,
  interpolationWeights,
  parseSofa,
  resampleHrir,
  resampleSet,
} from '../src/design/hrtf/sofa.ts';

const KEMAR = '/usr/share/libmysofa/MIT_KEMAR_normal_pinna.sofa';
const kemarBytes = new Uint8Array(readFileSync(KEMAR));
let set: HrirSet;
beforeAll(async () => {
  set = await parseSofa(kemarBytes, 'KEMAR.sofa');
});

const indexOf = (s: HrirSet, azimuthDeg: number, elevationDeg: number) => {
  const i = s.directions.findIndex((d) => Math.abs(d.azimuthDeg - azimuthDeg) < 1e-9 && Math.abs(d.elevationDeg - elevationDeg) < 1e-9);
  if (i < 0) throw new Error(`no measured direction ${azimuthDeg}/${elevationDeg}`);
  return i;
};
const power = (h: Float64Array, fs: number, f: number) => {
  const H = hrtfResponse(h, fs, f);
  return H.re * H.re + H.im * H.im;
};
const db = (h: Float64Array, fs: number, f: number) => 10 * Math.log10(power(h, fs, f));
/** Power average over a 1/3 octave around fc (9 log-spaced points), dB. */
const thirdOctaveDb = (h: Float64Array, fs: number, fc: number) => {
  let p = 0;
  for (let i = 0; i < 9; i++) p += power(h, fs, fc * 2 ** ((i / 8 - 0.5) / 3));
  return 10 * Math.log10(p / 9);
};
const BANDS_BELOW_8K = Array.from({ length: 16 }, (_, k) => 250 * 2 ** (k / 3)).filter((f) => f < 8000);
const maxAbsDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Numbers in the first DATA block of an h5dump listing (attributes suppressed), by index tuple. */
async function h5dumpValues(dataset: string, start: number[], count: number[]): Promise<Map<string, number>> {
  const { stdout } = await execa('h5dump', ['-A', '0', '-m', '%.17g', '-d', dataset, '-s', start.join(','), '-c', count.join(','), KEMAR]);
  const block = /DATA \{([\s\S]*?)\}/.exec(stdout);
  if (!block) throw new Error(`no DATA block in h5dump output:\n${stdout}`);
  const values = new Map<string, number>();
  for (const m of block[1].matchAll(/\(([\d,]+)\):\s*([-+0-9.eE]+)/g)) values.set(m[1], Number(m[2]));
  return values;
}

describe('parseSofa on MIT KEMAR', () => {
  it('has the known shape: 710 directions, 2 ears, 512 taps, 44.1 kHz', () => {
    expect(set.sampleRateHz).toBe(44100);
    expect(set.taps).toBe(512);
    expect(set.directions).toHaveLength(710);
    expect(set.left).toHaveLength(710);
    expect(set.right).toHaveLength(710);
    for (const h of [...set.left, ...set.right]) expect(h.length).toBe(512);
    expect(set.warnings).toEqual([]);
    expect(set.label).toBe('KEMAR.sofa');
    // Receiver 1 is the left ear: at +90 deg (left) it is the louder one.
    const i = indexOf(set, 90, 0);
    expect(Math.max(...set.left[i].map(Math.abs))).toBeGreaterThan(2 * Math.max(...set.right[i].map(Math.abs)));
  });

  it('agrees with h5dump on Data.IR elements and a SourcePosition row, exactly', async () => {
    const m = 123, n0 = 40;
    for (const r of [0, 1]) {
      const dumped = await h5dumpValues('Data.IR', [m, r, n0], [1, 1, 4]);
      expect(dumped.size).toBe(4);
      const mine = r === 0 ? set.left[m] : set.right[m];
      for (let k = 0; k < 4; k++) expect(mine[n0 + k]).toBe(dumped.get(`${m},${r},${n0 + k}`));
    }
    const row = await h5dumpValues('SourcePosition', [m, 0], [1, 3]);
    expect(row.size).toBe(3);
    expect(set.directions[m]).toEqual({ azimuthDeg: row.get(`${m},0`), elevationDeg: row.get(`${m},1`), distanceM: row.get(`${m},2`) });
    expect(set.directions[m]).toEqual({ azimuthDeg: 35, elevationDeg: -20, distanceM: 1.4 });
    const sr = await h5dumpValues('Data.SamplingRate', [0], [1]);
    expect(set.sampleRateHz).toBe(sr.get('0'));
  });

  it('leaves no file behind in the h5wasm file system', async () => {
    const { FS } = await h5wasm.ready;
    expect(FS.readdir('/').filter((n: string) => n.startsWith('arrayc-sofa'))).toEqual([]);
  });
});

describe('hrirAt', () => {
  it('gives back the measured HRIR at measured directions', () => {
    const at = createHrirInterpolator(set);
    for (const [az, el] of [[0, 0], [90, 0], [275, 0], [6.428571428571429, -40], [330, 80], [0, 90], [354, 30]]) {
      const i = indexOf(set, az, el);
      const r = at(az, el);
      expect(r.neighbours).toEqual([{ index: i, weight: 1 }]);
      expect(maxAbsDiff(r.left, set.left[i])).toBeLessThanOrEqual(1e-9);
      expect(maxAbsDiff(r.right, set.right[i])).toBeLessThanOrEqual(1e-9);
      expect(r.leftDelaySamples).toBe(hrirOnsetSamples(set.left[i]));
      // Azimuth is cyclic.
      expect(maxAbsDiff(at(az + 360, el).left, set.left[i])).toBeLessThanOrEqual(1e-9);
    }
    // A hair away, the blend (through the fractional-shift path) is continuous with the measurement.
    const i = indexOf(set, 30, 0);
    const near = at(30 + 1e-7, 0);
    expect(near.neighbours).toHaveLength(2);
    expect(maxAbsDiff(near.left, set.left[i])).toBeLessThan(1e-6);
  });

  it('halfway between measured directions: magnitude between the neighbours, onset between theirs', () => {
    const at = createHrirInterpolator(set);
    const fs = set.sampleRateHz;
    // Halfway in azimuth on a ring (ipsi- and contralateral sides, lowest ring), and a point between
    // two rings (4 neighbours).
    for (const [az, el] of [[32.5, 0], [92.5, 0], [272.5, 0], [3.2142857142857144, -40], [47.5, 25]]) {
      const r = at(az, el);
      expect(r.neighbours.length).toBe(el === 25 ? 4 : 2);
      expect(r.neighbours.reduce((a, n) => a + n.weight, 0)).toBeCloseTo(1, 12);
      for (const ear of ['left', 'right'] as const) {
        const h = r[ear];
        const nb = r.neighbours.map((n) => set[ear][n.index]);
        for (const fc of BANDS_BELOW_8K) {
          const levels = nb.map((x) => thirdOctaveDb(x, fs, fc));
          const mine = thirdOctaveDb(h, fs, fc);
          expect(mine, `${ear} ${az}/${el} ${fc.toFixed(0)} Hz`).toBeGreaterThanOrEqual(Math.min(...levels) - 0.1);
          expect(mine, `${ear} ${az}/${el} ${fc.toFixed(0)} Hz`).toBeLessThanOrEqual(Math.max(...levels) + 0.1);
        }
        const onsets = nb.map((x) => hrirOnsetSamples(x));
        const reported = ear === 'left' ? r.leftDelaySamples : r.rightDelaySamples;
        expect(reported).toBeCloseTo(r.neighbours.reduce((a, n, k) => a + n.weight * onsets[k], 0), 12);
        // Measured independently on the output: the re-applied onset is where it was put.
        const measured = hrirOnsetSamples(h);
        expect(measured, `${ear} ${az}/${el}`).toBeGreaterThanOrEqual(Math.min(...onsets) - 0.25);
        expect(measured, `${ear} ${az}/${el}`).toBeLessThanOrEqual(Math.max(...onsets) + 0.25);
        expect(Math.abs(measured - reported)).toBeLessThan(0.25);
      }
    }
  });

  it('leave-one-out on the horizontal ring: onset alignment beats a plain mix', () => {
    // Drop every other azimuth (10 deg gaps), predict the dropped ones, compare with the measurement.
    const ring = set.directions.map((d, i) => ({ d, i })).filter(({ d }) => d.elevationDeg === 0);
    const kept = ring.filter((_, k) => k % 2 === 0), dropped = ring.filter((_, k) => k % 2 === 1);
    const sub: HrirSet = { ...set, directions: kept.map((x) => x.d), left: kept.map((x) => set.left[x.i]), right: kept.map((x) => set.right[x.i]) };
    const score = (interp: ReturnType<typeof createHrirInterpolator>) => {
      let bandErr = 0, bands = 0, nmse = 0;
      for (const { d, i } of dropped) {
        const r = interp(d.azimuthDeg, 0);
        for (const ear of ['left', 'right'] as const) {
          const ref = set[ear][i], h = r[ear];
          for (const fc of BANDS_BELOW_8K) {
            bandErr += Math.abs(thirdOctaveDb(h, set.sampleRateHz, fc) - thirdOctaveDb(ref, set.sampleRateHz, fc));
            bands++;
          }
          let e = 0, p = 0;
          ref.forEach((v, n) => ((e += (h[n] - v) ** 2), (p += v * v)));
          nmse += 10 * Math.log10(e / p);
        }
      }
      return { meanBandDb: bandErr / bands, nmseDb: nmse / (2 * dropped.length) };
    };
    const aligned = score(createHrirInterpolator(sub));
    const plain = score(createHrirInterpolator(sub, { alignOnsets: false, mix: 'complex' }));
    expect(aligned.meanBandDb).toBeLessThan(0.2);
    expect(aligned.meanBandDb).toBeLessThan(plain.meanBandDb / 2);
    expect(aligned.nmseDb).toBeLessThan(plain.nmseDb - 8);
  });

  it('ITD has the right sign and a KEMAR-sized magnitude', () => {
    const fs = set.sampleRateHz;
    const left90 = hrirAt(set, 90, 0);
    const itd90 = (left90.rightDelaySamples - left90.leftDelaySamples) / fs;
    expect(itd90).toBeGreaterThan(0.6e-3); // left source: left ear first
    expect(itd90).toBeLessThan(0.8e-3);
    const right90 = hrirAt(set, -90, 0);
    expect((right90.rightDelaySamples - right90.leftDelaySamples) / fs).toBeCloseTo(-itd90, 9);
    const front = hrirAt(set, 0, 0);
    expect(Math.abs(front.rightDelaySamples - front.leftDelaySamples) / fs).toBeLessThan(0.02e-3);
    // Independent of the onset estimator: the interaural cross-correlation peak.
    let best = -Infinity, lag = 0;
    for (let k = -60; k <= 60; k++) {
      let s = 0;
      for (let n = Math.max(0, -k); n < Math.min(512, 512 - k); n++) s += left90.left[n] * left90.right[n + k];
      if (s > best) ((best = s), (lag = k));
    }
    expect(lag / fs).toBeGreaterThan(0.6e-3);
    expect(lag / fs).toBeLessThan(0.8e-3);
    // Interpolated directions keep the ITD monotone from the front to the side.
    let prev = -1;
    for (let az = 0; az <= 80; az += 2.5) {
      const r = hrirAt(set, az, 0);
      const itd = r.rightDelaySamples - r.leftDelaySamples;
      expect(itd).toBeGreaterThan(prev - 0.5);
      prev = itd;
    }
  });

  it('weights: bilinear between rings and azimuths, clamped below the lowest ring', () => {
    const w = interpolationWeights(set, 2.5, 5); // rings 0 and 10, azimuths 0 and 5 in both
    expect(w).toHaveLength(4);
    for (const n of w) expect(n.weight).toBeCloseTo(0.25, 12);
    const below = interpolationWeights(set, 0, -60);
    expect(below).toEqual([{ index: indexOf(set, 0, -40), weight: 1 }]);
    const wrap = interpolationWeights(set, 357.5, 0); // between 355 and 0
    expect(wrap.map((n) => n.index).sort()).toEqual([indexOf(set, 0, 0), indexOf(set, 355, 0)].sort());
    expect(() => interpolationWeights(set, 0, 91)).toThrow(/elevation 91/);
  });
});

describe('resampling', () => {
  it('44.1 kHz -> 48 kHz keeps responses, DC and delay in seconds; length scales', () => {
    const rs = resampleSet(set, 48000);
    expect(rs.sampleRateHz).toBe(48000);
    expect(rs.taps).toBe(Math.round((512 * 48000) / 44100));
    expect(rs.left[0].length).toBe(557);
    expect(rs.directions).toEqual(set.directions);
    for (const [az, el] of [[0, 0], [90, 0], [270, 0], [45, 20], [180, -30]]) {
      const i = indexOf(set, az, el);
      for (const ear of ['left', 'right'] as const) {
        const a = set[ear][i], b = rs[ear][i];
        for (const f of [1000, 10000]) expect(Math.abs(db(a, 44100, f) - db(b, 48000, f)), `${ear} ${az}/${el} ${f} Hz`).toBeLessThan(0.1);
        // Phase delay at 1 kHz (s) is kept to a small fraction of a sample.
        const pa = hrtfResponse(a, 44100, 1000), pb = hrtfResponse(b, 48000, 1000);
        const dphi = Math.atan2(pa.im * pb.re - pa.re * pb.im, pa.re * pb.re + pa.im * pb.im);
        expect(Math.abs(dphi / (2 * Math.PI * 1000)) * 44100).toBeLessThan(0.05);
        // Onset (s) too, to the estimator's resolution.
        expect(Math.abs(hrirOnsetSamples(b) / 48000 - hrirOnsetSamples(a) / 44100) * 44100).toBeLessThan(0.4);
      }
    }
  });

  it('a band-limited pulse keeps its shape, DC gain and position in seconds', () => {
    // Hann-windowed 16 kHz-band sinc pulse centred at a fractional sample.
    const from = 44100, centre = 200.37, bw = 16000 / from;
    const x = new Float64Array(512).map((_, n) => {
      const t = n - centre;
      const w = Math.abs(t) < 150 ? 0.5 + 0.5 * Math.cos((Math.PI * t) / 150) : 0;
      return t === 0 ? 2 * bw : (Math.sin(2 * Math.PI * bw * t) / (Math.PI * t)) * w;
    });
    for (const to of [48000, 32000, 96000]) {
      const y = resampleHrir(x, from, to);
      expect(y.length).toBe(Math.round((512 * to) / from));
      const sx = x.reduce((a, b) => a + b, 0), sy = y.reduce((a, b) => a + b, 0);
      expect(Math.abs(sy - sx) / sx, `DC at ${to}`).toBeLessThan(1e-5);
      for (const f of [100, 1000, 10000, to === 32000 ? 14000 : 15000]) expect(Math.abs(db(y, to, f) - db(x, from, f)), `${to} ${f} Hz`).toBeLessThan(0.01);
      // Centre of the (symmetric) pulse: its first moment, i.e. the group delay at DC.
      const centroid = (v: Float64Array) => v.reduce((a, b, n) => a + n * b, 0) / v.reduce((a, b) => a + b, 0);
      expect(Math.abs(centroid(x) - centre)).toBeLessThan(1e-4);
      expect(Math.abs(centroid(y) / to - centre / from) * from, `centre at ${to}`).toBeLessThan(0.01);
    }
    expect(resampleHrir(x, from, from)).toEqual(x);
  });
});

describe('hrtfResponse', () => {
  it('is the DTFT at any frequency', () => {
    const h = new Float64Array([0, 0, 0, 2]);
    const H = hrtfResponse(h, 48000, 1234.5);
    const w = (2 * Math.PI * 1234.5) / 48000;
    expect(H.re).toBeCloseTo(2 * Math.cos(3 * w), 14);
    expect(H.im).toBeCloseTo(-2 * Math.sin(3 * w), 14);
    expect(hrtfResponse(set.left[0], 44100, 0).re).toBeCloseTo(set.left[0].reduce((a, b) => a + b, 0), 12);
  });
});

describe('bad input', () => {
  /** An HDF5 file built in memory with h5wasm (its MEMFS build: nothing touches the disk). */
  async function makeHdf5(build: (f: InstanceType<typeof h5wasm.File>) => void): Promise<Uint8Array> {
    const { FS } = await h5wasm.ready;
    const name = `/test-${Math.random().toString(36).slice(2)}.h5`;
    const f = new h5wasm.File(name, 'w');
    build(f);
    f.close();
    const bytes = FS.readFile(name) as Uint8Array;
    FS.unlink(name);
    return bytes;
  }
  /** A minimal SimpleFreeFieldHRIR; `tweak` edits it before closing. */
  const tinySofa = (
    tweak: (f: InstanceType<typeof h5wasm.File>) => void = () => {},
    irShape = [2, 2, 8],
    delay = { data: new Float64Array([0, 0]), shape: [1, 2] },
  ) =>
    makeHdf5((f) => {
      f.create_attribute('Conventions', 'SOFA');
      f.create_attribute('SOFAConventions', 'SimpleFreeFieldHRIR');
      const n = irShape.reduce((a, b) => a * b, 1);
      f.create_dataset({ name: 'Data.IR', data: new Float64Array(n).map((_, i) => (i % irShape[2] === 0 ? 1 : 0)), shape: irShape });
      f.create_dataset({ name: 'Data.SamplingRate', data: new Float64Array([48000]), shape: [1] }).create_attribute('Units', 'hertz');
      f.create_dataset({ name: 'Data.Delay', data: delay.data, shape: delay.shape });
      const sp = f.create_dataset({ name: 'SourcePosition', data: new Float64Array([0, 1, 0, 0, 0, 2]), shape: [2, 3] });
      sp.create_attribute('Type', 'cartesian');
      sp.create_attribute('Units', 'metre');
      tweak(f);
    });

  it('random bytes: not an HDF5 file', async () => {
    let seed = 12345;
    const junk = new Uint8Array(4096).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    await expect(parseSofa(junk, 'junk.sofa')).rejects.toThrow(/^junk\.sofa: not an HDF5 file/);
  });

  it('a truncated SOFA file: the HDF5 reason', async () => {
    await expect(parseSofa(kemarBytes.slice(0, 100_000), 'cut.sofa')).rejects.toThrow(/^cut\.sofa: the HDF5 library cannot open it: .*truncated file/);
  });

  it('a valid HDF5 file that is not SOFA', async () => {
    const bytes = await makeHdf5((f) => {
      f.create_dataset({ name: 'temperature', data: new Float64Array([20.5, 21]) });
      f.create_attribute('Conventions', 'CF-1.8');
    });
    await expect(parseSofa(bytes, 'weather.h5')).rejects.toThrow(/^weather\.h5: GLOBAL:SOFAConventions: missing .*no Data\.IR/);
  });

  it('SOFA-shaped files with one thing wrong name that thing', async () => {
    await expect(parseSofa(await tinySofa(() => {}, [2, 3, 8]), 'three-ears.sofa')).rejects.toThrow(
      'three-ears.sofa: Data.IR: expected 3 dimensions M x 2 x N, got 3 dimensions [2 x 3 x 8]',
    );
    await expect(parseSofa(await tinySofa(() => {}, [2, 16]), 'flat.sofa')).rejects.toThrow('flat.sofa: Data.IR: expected 3 dimensions M x 2 x N, got 2 dimensions [2 x 16]');
    const noRate = await makeHdf5((f) => {
      f.create_attribute('SOFAConventions', 'SimpleFreeFieldHRIR');
      f.create_dataset({ name: 'Data.IR', data: new Float64Array(32), shape: [2, 2, 8] });
    });
    await expect(parseSofa(noRate, 'norate.sofa')).rejects.toThrow('norate.sofa: Data.SamplingRate: missing');
    const turned = await tinySofa((f) => {
      const lv = f.create_dataset({ name: 'ListenerView', data: new Float64Array([0, 1, 0]), shape: [1, 3] });
      lv.create_attribute('Type', 'cartesian');
      lv.create_attribute('Units', 'metre');
    });
    await expect(parseSofa(turned, 'turned.sofa')).rejects.toThrow(/^turned\.sofa: ListenerView: only the default view/);
    const badDelay = await tinySofa(undefined, undefined, { data: new Float64Array([0, 0, 0]), shape: [1, 3] });
    await expect(parseSofa(badDelay, 'delay.sofa')).rejects.toThrow('delay.sofa: Data.Delay: expected 1 x 2 or M x 2 (M = 2), got 2 dimensions [1 x 3]');
    const sphericalNoUnits = await tinySofa((f) => {
      const sp = f.get('SourcePosition') as InstanceType<typeof h5wasm.Dataset>;
      sp.delete_attribute('Type');
      sp.create_attribute('Type', 'polar');
    });
    await expect(parseSofa(sphericalNoUnits, 'polar.sofa')).rejects.toThrow('polar.sofa: SourcePosition: Type: expected "spherical" or "cartesian", got "polar"');
    const { FS } = await h5wasm.ready;
    expect(FS.readdir('/').filter((n: string) => n.startsWith('arrayc-sofa'))).toEqual([]);
  });

  it('a minimal valid file: cartesian positions converted, Data.Delay applied', async () => {
    const bytes = await tinySofa(undefined, undefined, { data: new Float64Array([2, 0]), shape: [1, 2] });
    const s = await parseSofa(bytes, 'tiny.sofa');
    expect(s.sampleRateHz).toBe(48000);
    expect(s.directions[0]).toEqual({ azimuthDeg: 90, elevationDeg: 0, distanceM: 1 }); // +y = left
    expect(s.directions[1]).toEqual({ azimuthDeg: 0, elevationDeg: 90, distanceM: 2 }); // +z = up
    expect(s.taps).toBe(10);
    expect(Array.from(s.left[0])).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]); // delayed by 2
    expect(Array.from(s.right[0])).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.warnings?.join('\n')).toMatch(/applied Data\.Delay/);
  });
});
