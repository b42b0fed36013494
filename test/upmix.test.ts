// Stereo -> L/R/C upmix (src/design/upmix.ts): the product bars on deterministic material
// (seeded noise, tones, speech-like mixtures), the reconstruction identity, the adaptation time
// constant from a pan step, and closed forms of the estimator.
import { describe, expect, it } from 'vitest';
import {
  type UpmixParams,
  UpmixFloat,
  checkUpmixParams,
  defaultUpmixParams,
  upmixBlockStats,
  upmixGain,
  upmixMaxGain,
  upmixSignal,
} from '../src/design/upmix.ts';
import { prng } from '../src/toolchain/vectors.ts';

const FS = 48000;
const B = 48;
const P = defaultUpmixParams(FS, B);
const SETTLE = Math.round(0.5 * FS);
const db = (x: number) => 10 * Math.log10(x);
const log = (msg: string) => console.log(`upmix: ${msg}`);

// ---- deterministic material ----

/** Seeded standard normal noise (mulberry32 + Box-Muller). */
function noise(seed: number, n: number, rms = 1): Float64Array {
  const u = prng(seed);
  const uni = () => (u() + 0.5) / 4294967296;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const a = Math.sqrt(-2 * Math.log(uni()));
    const t = 2 * Math.PI * uni();
    x[i] = rms * a * Math.cos(t);
    if (i + 1 < n) x[i + 1] = rms * a * Math.sin(t);
  }
  return x;
}

function tone(hz: number, n: number, amp = 0.5, phase = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / FS + phase));
}

/**
 * Speech-like: syllables of 80-300 ms separated by 20-150 ms pauses, each voiced (a glottal pulse
 * train at a gliding f0 of 90-250 Hz through two formant resonators, F1 300-800 Hz and F2
 * 900-2500 Hz) or fricative (differentiated noise), with a raised-cosine envelope and a random
 * level (+/-10 dB); normalised to `rms`.
 */
function speechLike(seed: number, n: number, rms = 0.1): Float64Array {
  const u = prng(seed);
  const uni = () => u() / 4294967296;
  const hiss = noise(seed ^ 0x5bd1e995, n);
  const x = new Float64Array(n);
  const resonator = (f: number, bwHz: number) => {
    const rr = Math.exp((-Math.PI * bwHz) / FS);
    return { a1: 2 * rr * Math.cos((2 * Math.PI * f) / FS), a2: -rr * rr, y1: 0, y2: 0 };
  };
  let i = Math.floor(uni() * 0.1 * FS);
  let hp = 0;
  while (i < n) {
    const len = Math.floor((0.08 + 0.22 * uni()) * FS);
    const voiced = uni() < 0.7;
    const level = 10 ** ((uni() * 20 - 10) / 20);
    const f0a = 90 + 160 * uni();
    const f0b = f0a * (0.8 + 0.4 * uni());
    const formants = [resonator(300 + 500 * uni(), 80), resonator(900 + 1600 * uni(), 120)];
    let ph = 0;
    for (let j = 0; j < len && i + j < n; j++) {
      const env = 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / len);
      let v = 0;
      if (voiced) {
        ph += (f0a + ((f0b - f0a) * j) / len) / FS;
        const pulse = ph >= 1 ? 1 : 0;
        if (ph >= 1) ph -= 1;
        for (const f of formants) {
          const y = pulse + f.a1 * f.y1 + f.a2 * f.y2;
          f.y2 = f.y1;
          f.y1 = y;
          v += y;
        }
      } else {
        const h = hiss[i + j];
        v = h - hp;
        hp = h;
      }
      x[i + j] = level * env * v;
    }
    i += len + Math.floor((0.02 + 0.13 * uni()) * FS);
  }
  const e = Math.sqrt(x.reduce((a, v) => a + v * v, 0) / n);
  return x.map((v) => (v * rms) / e);
}

const zeros = (n: number) => new Float64Array(n);
const add = (...xs: Float64Array[]) => xs[0].map((_, i) => xs.reduce((a, x) => a + x[i], 0));
const scale = (x: Float64Array, g: number) => x.map((v) => v * g);

/** Constant-power pan, position -1 (left) .. +1 (right). */
const panGains = (pos: number): [number, number] => {
  const th = ((pos + 1) * Math.PI) / 4;
  return [Math.cos(th), Math.sin(th)];
};

function energy(x: Float64Array, from = 0, to = x.length): number {
  let e = 0;
  for (let i = from; i < to; i++) e += x[i] * x[i];
  return e;
}

function corr(a: Float64Array, b: Float64Array, from = 0): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = from; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** Mixed test material: independent sources hard left, hard right, centre, and a partly
 *  correlated (inter-channel correlation 0.5) source panned at +0.3. */
function mixture(src: (seed: number) => Float64Array): { l: Float64Array; r: Float64Array } {
  const [a, b, c, d0, d1, d2] = [11, 12, 13, 14, 15, 16].map(src);
  const rho = 0.5;
  const dl = add(scale(d0, Math.sqrt(rho)), scale(d1, Math.sqrt(1 - rho)));
  const dr = add(scale(d0, Math.sqrt(rho)), scale(d2, Math.sqrt(1 - rho)));
  const [gl, gr] = panGains(0.3);
  return { l: add(a, c, scale(dl, gl)), r: add(b, c, scale(dr, gr)) };
}

// ---- bars ----

describe('upmix: hard-panned source leaks <= -40 dB into C', () => {
  const N = 3 * FS;
  const sources: [string, () => Float64Array][] = [
    ['white noise', () => noise(1, N, 0.25)],
    ['1 kHz tone', () => tone(1000, N)],
    ['441.7 Hz tone', () => tone(441.7, N, 0.7, 0.3)],
    ['speech-like', () => speechLike(2, N)],
  ];
  for (const [name, make] of sources) {
    for (const side of ['L', 'R'] as const) {
      it(`${name}, only ${side}`, () => {
        const x = make();
        const [l, r] = side === 'L' ? [x, zeros(N)] : [zeros(N), x];
        const o = upmixSignal(l, r, P);
        const leak = db(energy(o.c, SETTLE) / energy(x, SETTLE));
        const wrong = db(energy(side === 'L' ? o.r : o.l, SETTLE) / energy(x, SETTLE));
        log(`hard ${side}, ${name}: C/input ${leak.toFixed(1)} dB, opposite channel ${wrong.toFixed(1)} dB`);
        expect(leak).toBeLessThanOrEqual(-40);
        expect(wrong).toBeLessThanOrEqual(-40);
      });
    }
  }
  it('after a jump from hard right to hard left (measured from 0.5 s after the jump)', () => {
    const x = noise(3, 3 * FS, 0.25);
    const jump = FS;
    const l = x.map((v, i) => (i >= jump ? v : 0));
    const r = x.map((v, i) => (i < jump ? v : 0));
    const o = upmixSignal(l, r, P);
    const leak = db(energy(o.c, jump + SETTLE) / energy(x, jump + SETTLE));
    log(`hard R -> hard L jump: C/input ${leak.toFixed(1)} dB`);
    expect(leak).toBeLessThanOrEqual(-40);
  });
});

describe('upmix: L = R leaves side <= -60 dB', () => {
  // side = (E(L') + E(R')) / E(C), over the signal after 0.5 s
  const sideDb = (o: { l: Float64Array; r: Float64Array; c: Float64Array }) =>
    db((energy(o.l, SETTLE) + energy(o.r, SETTLE)) / energy(o.c, SETTLE));
  const N = 2 * FS;
  for (const [name, x] of [
    ['noise', noise(4, N, 0.3)],
    ['tone', tone(523.25, N)],
    ['speech-like', speechLike(5, N)],
  ] as const) {
    it(`exact mono ${name}: L' = R' = 0, C = L`, () => {
      const o = upmixSignal(x, x, P);
      const side = sideDb(o);
      log(`L = R, ${name}: side ${side === -Infinity ? '-inf (exactly 0)' : side.toFixed(1) + ' dB'}`);
      expect(side).toBeLessThanOrEqual(-60);
      expect(o.c).toEqual(x); // from the first frame on: S = 0, so g does not matter
    });
  }
  it('near mono: independent -80 dB noise in each channel, or a 0.001 dB level offset', () => {
    const x = speechLike(6, N);
    const xe = Math.sqrt(energy(x) / N);
    const n1 = noise(7, N, xe * 1e-4);
    const n2 = noise(8, N, xe * 1e-4);
    const a = sideDb(upmixSignal(add(x, n1), add(x, n2), P));
    const b = sideDb(upmixSignal(x, scale(x, 10 ** (-0.001 / 20)), P));
    log(`near mono: -80 dB decorrelation -> side ${a.toFixed(1)} dB; 0.001 dB offset -> side ${b.toFixed(1)} dB`);
    expect(a).toBeLessThanOrEqual(-60);
    expect(b).toBeLessThanOrEqual(-60);
  });
});

describe('upmix: centre vs L-R correlation <= 0.05 on mixed material', () => {
  // Stationary sources: 4 s. Speech-like sources: 16 s, because on gated material the coefficient
  // of one excerpt is dominated by a few source-switching events (each leaks into C for about tau,
  // with a random sign), so it is a random variable that shrinks with the length of the excerpt.
  const cases: [string, number, (seed: number, n: number) => Float64Array][] = [
    ['white noise sources, 4 s', 4, (s, n) => noise(s, n, 0.1)],
    ['tones, 4 s', 4, (s, n) => tone(200 + 97 * s, n, 0.2, s)],
    ['speech-like sources, 16 s', 16, (s, n) => speechLike(s, n)],
  ];
  for (const [name, secs, src] of cases) {
    it(name, () => {
      const { l, r } = mixture((s) => src(s, secs * FS));
      const o = upmixSignal(l, r, P);
      const side = l.map((v, i) => v - r[i]);
      const rc = corr(o.c, side, SETTLE);
      const rin = corr(add(l, r), side, SETTLE);
      const balance = (energy(o.l, SETTLE) + energy(o.r, SETTLE) + 2 * energy(o.c, SETTLE)) / (energy(l, SETTLE) + energy(r, SETTLE));
      log(
        `mixture, ${name}: |corr(C, L-R)| ${Math.abs(rc).toFixed(4)} (input corr(L+R, L-R) ${rin.toFixed(3)}), ` +
          `C/input ${db(energy(o.c, SETTLE) / (energy(l, SETTLE) + energy(r, SETTLE))).toFixed(1)} dB, ` +
          `energy balance (E L' + E R' + 2 E C)/(E L + E R) ${db(balance).toFixed(3)} dB`,
      );
      expect(Math.abs(rc)).toBeLessThanOrEqual(0.05);
      // the balance error is -4 sum(g C S)/sum(L^2 + R^2): small when C is orthogonal to S
      expect(Math.abs(db(balance))).toBeLessThanOrEqual(0.1);
    });
  }
});

describe('upmix: reconstruction L = L\' + C, R = R\' + C', () => {
  for (const interp of ['linear', 'hold'] as const) {
    it(`identity to one rounding, side passed through (${interp})`, () => {
      const { l, r } = mixture((s) => speechLike(s, 3 * FS));
      const o = upmixSignal(l, r, { ...P, gainInterpolation: interp });
      let worst = 0, worstSide = 0;
      for (let i = 0; i < l.length; i++) {
        const tol = 2 ** -52 * Math.max(Math.abs(l[i]), Math.abs(r[i]), Math.abs(o.c[i]));
        worst = Math.max(worst, Math.abs(o.l[i] + o.c[i] - l[i]) / (tol || 1), Math.abs(o.r[i] + o.c[i] - r[i]) / (tol || 1));
        worstSide = Math.max(worstSide, Math.abs(o.l[i] - o.r[i] - (l[i] - r[i])) / (2 * tol || 1));
      }
      log(`reconstruction (${interp}): max |L' + C - L| ${worst.toFixed(2)} x 2^-52 max|.|, max |L' - R' - (L - R)| ${worstSide.toFixed(2)} x 2^-51 max|.|`);
      expect(worst).toBeLessThanOrEqual(1);
      expect(worstSide).toBeLessThanOrEqual(1);
    });
  }
});

describe('upmix: adaptation time constant from a pan step', () => {
  /** g after a step at block k0 (first block of the new panning): time to fall to 1/e of the
   *  way, and a log-linear fit over 0.9 .. 0.02 of the way. */
  function measureTau(gains: Float64Array, k0: number, p: UpmixParams) {
    const mean = (a: number, b: number) => gains.subarray(a, b).reduce((s, v) => s + v, 0) / (b - a);
    const gInit = mean(k0 - 100, k0);
    const gFinal = mean(gains.length - 200, gains.length);
    const tBlock = p.blockSize / p.sampleRate;
    const f = (j: number) => (j === 0 ? 1 : (gains[k0 + j - 1] - gFinal) / (gInit - gFinal));
    let cross = NaN;
    for (let j = 1; k0 + j - 1 < gains.length; j++) {
      if (f(j) <= Math.exp(-1)) {
        const [a, b] = [Math.log(f(j - 1)), Math.log(f(j))];
        cross = tBlock * (j - 1 + (-1 - a) / (b - a));
        break;
      }
    }
    let st = 0, sy = 0, stt = 0, sty = 0, cnt = 0;
    for (let j = 1; k0 + j - 1 < gains.length && f(j) > 0.02; j++) {
      if (f(j) > 0.9) continue;
      const t = j * tBlock, y = Math.log(f(j));
      st += t; sy += y; stt += t * t; sty += t * y; cnt++;
    }
    const slope = (cnt * sty - st * sy) / (cnt * stt - st * st);
    return { cross, fit: -1 / slope, gInit, gFinal };
  }
  const N = 2 * FS;
  const cases: [string, Float64Array, number, UpmixParams][] = [
    ['1 kHz tone, step on a block edge', tone(1000, N), FS, P],
    ['white noise, step on a block edge', noise(9, N, 0.2), FS, P],
    ['white noise, step mid-block', noise(10, N, 0.2), FS + 17, P],
    ['441.7 Hz tone, step mid-block', tone(441.7, N), FS + 29, P],
    ['white noise, tau 20 ms, hold', noise(12, N, 0.2), FS, { ...P, timeConstantS: 0.02, gainInterpolation: 'hold' }],
    ['white noise, tau 200 ms, B = 32', noise(13, 3 * FS, 0.2), FS, { ...P, timeConstantS: 0.2, blockSize: 32 }],
  ];
  for (const [name, x, step, p] of cases) {
    it(`hard left -> hard right: ${name}`, () => {
      const l = x.map((v, i) => (i < step ? v : 0));
      const r = x.map((v, i) => (i >= step ? v : 0));
      const o = upmixSignal(l, r, p);
      const m = measureTau(o.blockGains, Math.ceil(step / p.blockSize), p);
      log(`tau, ${name}: stated ${(p.timeConstantS * 1e3).toFixed(1)} ms, 1/e crossing ${(m.cross * 1e3).toFixed(2)} ms, log fit ${(m.fit * 1e3).toFixed(2)} ms (g ${m.gInit.toFixed(4)} -> ${m.gFinal.toFixed(4)})`);
      expect(Math.abs(m.cross / p.timeConstantS - 1)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(m.fit / p.timeConstantS - 1)).toBeLessThanOrEqual(0.2);
    });
  }
});

// ---- closed forms and behaviour ----

describe('upmix: estimator closed forms', () => {
  it('one amplitude-panned source: C = M lambda m^2/(s^2 + lambda m^2); |g| <= 1/(2 sqrt(lambda))', () => {
    const x = noise(20, FS, 0.2);
    const lam = P.relativeFloor;
    for (const pos of [-1, -0.5, -0.05, -0.01, 0, 0.003, 0.02, 0.3, 1]) {
      const [a, b] = panGains(pos);
      const o = upmixSignal(scale(x, a), scale(x, b), P);
      const m = (a + b) / 2, s = (a - b) / 2;
      const want = (m * lam * m * m) / (s * s + lam * m * m);
      // C = k x for a single source: compare the fitted k after the first block.
      let cx = 0;
      for (let i = B; i < x.length; i++) cx += o.c[i] * x[i];
      const k = cx / energy(x, B);
      expect(k).toBeCloseTo(want, 6);
      expect(Math.abs(o.blockGains[o.blockGains.length - 1])).toBeLessThanOrEqual(upmixMaxGain(lam));
    }
    // the bound is reached where E_SS = lambda E_MM
    expect(upmixGain({ mm: 1, ss: lam, ms: Math.sqrt(lam) }, lam, 0)).toBeCloseTo(upmixMaxGain(lam), 9);
  });

  it('silence: g = 0, all outputs 0, no NaN', () => {
    const o = upmixSignal(zeros(FS), zeros(FS), P);
    expect(o.blockGains.every((g) => g === 0)).toBe(true);
    expect([...o.l, ...o.r, ...o.c].every((v) => v === 0)).toBe(true);
  });

  it('block statistics are the means of M^2, M S, S^2', () => {
    const s = upmixBlockStats([1, 0, 2], [0, 0, -2], 0, 3);
    // M = [0.5, 0, 0], S = [0.5, 0, 2]
    expect(s.mm).toBeCloseTo(0.25 / 3, 15);
    expect(s.ms).toBeCloseTo(0.25 / 3, 15);
    expect(s.ss).toBeCloseTo(4.25 / 3, 15);
  });

  it('streaming UpmixFloat.process block by block equals upmixSignal (incl. a short last block)', () => {
    const { l, r } = mixture((s) => noise(s, 1000, 0.1));
    const whole = upmixSignal(l, r, P);
    const u = new UpmixFloat(P);
    for (let off = 0; off < l.length; off += B) {
      const n = Math.min(B, l.length - off);
      const o = u.process(l.subarray(off, off + n), r.subarray(off, off + n));
      expect(o.c).toEqual(whole.c.subarray(off, off + n));
      expect(o.l).toEqual(whole.l.subarray(off, off + n));
      expect(u.gain).toBe(whole.blockGains[off / B]);
    }
  });

  it('rejects invalid parameters, naming the field', () => {
    expect(() => checkUpmixParams({ ...P, blockSize: 0 })).toThrow(/blockSize/);
    expect(() => checkUpmixParams({ ...P, timeConstantS: -1 })).toThrow(/timeConstantS/);
    expect(() => checkUpmixParams({ ...P, relativeFloor: 0 })).toThrow(/relativeFloor/);
    expect(() => new UpmixFloat(P).process(new Float64Array(49), new Float64Array(49))).toThrow(/block of 49/);
  });
});
