// Classic filter designs used by crossovers and EQ (RBJ audio-EQ cookbook biquads, windowed
// linear-phase FIR by frequency sampling) and frequency responses to check them.
import type { Complex } from './complex.ts';
import type { Sos } from './graph.ts';

const BUTTERWORTH_Q = Math.SQRT1_2;

function rbj(kind: 'lowpass' | 'highpass' | 'peaking', fHz: number, fs: number, q: number, gainDb = 0): Sos {
  const w0 = (2 * Math.PI * fHz) / fs;
  const cosw = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  switch (kind) {
    case 'lowpass':
      return [(1 - cosw) / 2, 1 - cosw, (1 - cosw) / 2, 1 + alpha, -2 * cosw, 1 - alpha];
    case 'highpass':
      return [(1 + cosw) / 2, -(1 + cosw), (1 + cosw) / 2, 1 + alpha, -2 * cosw, 1 - alpha];
    case 'peaking': {
      const A = 10 ** (gainDb / 40);
      return [1 + alpha * A, -2 * cosw, 1 - alpha * A, 1 + alpha / A, -2 * cosw, 1 - alpha / A];
    }
  }
}

export const lowpassBiquad = (fHz: number, fs: number, q = BUTTERWORTH_Q) => rbj('lowpass', fHz, fs, q);
export const highpassBiquad = (fHz: number, fs: number, q = BUTTERWORTH_Q) => rbj('highpass', fHz, fs, q);
export const peakingBiquad = (fHz: number, fs: number, q: number, gainDb: number) => rbj('peaking', fHz, fs, q, gainDb);

/** Linkwitz-Riley 4th order = two identical 2nd-order Butterworth sections. */
export function linkwitzRiley4(kind: 'lowpass' | 'highpass', fHz: number, fs: number): Sos[] {
  const s = kind === 'lowpass' ? lowpassBiquad(fHz, fs) : highpassBiquad(fHz, fs);
  return [s, [...s] as Sos];
}

/** Complex response of a cascade of sections at fHz: [re, im]. */
export function sosResponse(sos: Sos[], fHz: number, fs: number): [number, number] {
  const w = (2 * Math.PI * fHz) / fs;
  let re = 1, im = 0;
  for (const [b0, b1, b2, a0, a1, a2] of sos) {
    // z^-1 = e^{-jw}
    const nr = b0 + b1 * Math.cos(w) + b2 * Math.cos(2 * w);
    const ni = -b1 * Math.sin(w) - b2 * Math.sin(2 * w);
    const dr = a0 + a1 * Math.cos(w) + a2 * Math.cos(2 * w);
    const di = -a1 * Math.sin(w) - a2 * Math.sin(2 * w);
    const d = dr * dr + di * di;
    const hr = (nr * dr + ni * di) / d;
    const hi = (ni * dr - nr * di) / d;
    [re, im] = [re * hr - im * hi, re * hi + im * hr];
  }
  return [re, im];
}

/** Response of FIR taps (an impulse response) at any frequency: sum_n h[n] e^{-j 2 pi f n / fs}. */
export function firResponse(taps: ArrayLike<number>, fHz: number, fs: number): Complex {
  const w = (2 * Math.PI * fHz) / fs;
  let re = 0, im = 0;
  for (let n = 0; n < taps.length; n++) {
    if (taps[n] === 0) continue;
    re += taps[n] * Math.cos(w * n);
    im -= taps[n] * Math.sin(w * n);
  }
  return { re, im };
}

/**
 * FIR of nTaps approximating a magnitude response (gain as a function of Hz) with an integer
 * delay of floor((nTaps-1)/2) samples: frequency sampling on a dense grid, inverse DFT of the
 * zero-phase response, Blackman window centred on that delay. An integer centre keeps even
 * lengths well behaved (a half-sample centre would need a slowly decaying sinc).
 */
export function zeroPhaseFir(nTaps: number, fs: number, magnitude: (hz: number) => number): number[] {
  const grid = 4096;
  const center = Math.floor((nTaps - 1) / 2);
  const halfWidth = nTaps / 2 + 0.5;
  const mags = Float64Array.from({ length: grid + 1 }, (_, k) => magnitude((k / grid) * (fs / 2)));
  const taps: number[] = [];
  for (let n = 0; n < nTaps; n++) {
    const t = n - center;
    // h[n] = (1/pi) * integral_0^pi M(w) cos(w t) dw, trapezoidal rule on the grid.
    let acc = 0;
    for (let k = 0; k <= grid; k++) {
      const w = (Math.PI * k) / grid;
      const wt = k === 0 || k === grid ? 0.5 : 1;
      acc += wt * mags[k] * Math.cos(w * t);
    }
    const u = 0.5 + t / (2 * halfWidth); // window phase in (0, 1), 0.5 at the centre
    const window = 0.42 - 0.5 * Math.cos(2 * Math.PI * u) + 0.08 * Math.cos(4 * Math.PI * u);
    taps.push((acc / grid) * window);
  }
  return taps;
}
