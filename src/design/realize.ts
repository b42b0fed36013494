// Realization: a frequency response designed on an FFT grid becomes a causal FIR whose length is
// chosen by an error bound; and the FIR's own response, for evaluating what was realized.
import FFT from 'fft.js';
import type { Complex } from './complex.ts';

/** Frequencies of the bins 0..nfft/2 of an nfft-point grid. */
export function fftGrid(nfft: number, sampleRate: number): number[] {
  return Array.from({ length: nfft / 2 + 1 }, (_, k) => (k * sampleRate) / nfft);
}

/** The nfft-point circular impulse response of a response given on bins 0..nfft/2 (Hermitian). */
export function circularImpulseResponse(resp: Complex[], nfft: number): Float64Array {
  const fft = new FFT(nfft);
  const spec = fft.createComplexArray() as number[];
  for (let k = 0; k <= nfft / 2; k++) {
    spec[2 * k] = resp[k].re;
    spec[2 * k + 1] = k === 0 || k === nfft / 2 ? 0 : resp[k].im;
    if (k > 0 && k < nfft / 2) {
      spec[2 * (nfft - k)] = resp[k].re;
      spec[2 * (nfft - k) + 1] = -resp[k].im;
    }
  }
  const out = fft.createComplexArray() as number[];
  fft.inverseTransform(out, spec);
  return Float64Array.from({ length: nfft }, (_, n) => out[2 * n]);
}

/** Response of FIR taps on bins 0..nfft/2 of an nfft grid (taps longer than nfft are folded). */
export function firOnGrid(taps: ArrayLike<number>, nfft: number): Complex[] {
  const fft = new FFT(nfft);
  const x = new Array(nfft).fill(0);
  for (let n = 0; n < taps.length; n++) x[n % nfft] += taps[n];
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, x);
  return Array.from({ length: nfft / 2 + 1 }, (_, k) => ({ re: out[2 * k], im: out[2 * k + 1] }));
}

/**
 * Realization error (dB): the error between a realized FIR and the designed response per
 * 1/3-octave band within bandHz (bins of an nfft grid at sampleRate), relative to the band's
 * designed level but never to less than referenceLevel (so a band where the filter is nearly
 * silent is judged against the level that matters, e.g. plain playback = 1); worst band.
 */
export function realizationErrorDb(taps: ArrayLike<number>, resp: Complex[], nfft: number, sampleRate: number, bandHz: [number, number], referenceLevel = 1): number {
  const got = firOnGrid(taps, nfft);
  let worst = -Infinity;
  for (let fc = bandHz[0] * 2 ** (1 / 6); fc <= bandHz[1] * 2 ** (-1 / 6) * 1.0001; fc *= 2 ** (1 / 3)) {
    const k0 = Math.max(1, Math.ceil((fc * 2 ** (-1 / 6) * nfft) / sampleRate));
    const k1 = Math.min(resp.length - 1, Math.floor((fc * 2 ** (1 / 6) * nfft) / sampleRate));
    let err = 0, ref = 0;
    for (let k = k0; k <= k1; k++) {
      err += (got[k].re - resp[k].re) ** 2 + (got[k].im - resp[k].im) ** 2;
      ref += resp[k].re ** 2 + resp[k].im ** 2;
    }
    const n = k1 - k0 + 1;
    if (n > 0) worst = Math.max(worst, 10 * Math.log10(err / Math.max(ref, n * referenceLevel ** 2)));
  }
  return worst;
}

/** The first `length` samples of the circular impulse response, the last 1/8 tapered by a half Hann. */
export function truncateFir(h: Float64Array, length: number): number[] {
  const taper = Math.max(1, Math.floor(length / 8));
  return Array.from({ length }, (_, n) => {
    const fromEnd = length - 1 - n;
    const w = fromEnd >= taper ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * (fromEnd + 0.5)) / taper);
    return h[n] * w;
  });
}

export const FIR_LENGTHS = [64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096];

export interface RealizedFir {
  taps: number[];
  errorDb: number;
}

export interface RealizeOptions {
  nfft: number;
  sampleRate: number;
  errorBoundDb: number;
  /** Band where the error bound applies. */
  bandHz: [number, number];
  /** Level the error is never judged against less than (1 = plain playback). */
  referenceLevel?: number;
  maxLength: number;
}

/**
 * The shortest FIR (from FIR_LENGTHS, up to maxLength) whose response is within errorBoundDb of
 * the designed response in every 1/3-octave band of bandHz; the longest allowed if none is.
 */
export function realizeFir(resp: Complex[], o: RealizeOptions): RealizedFir {
  const { nfft, maxLength } = o;
  const h = circularImpulseResponse(resp, nfft);
  let best: RealizedFir | null = null;
  for (const L of FIR_LENGTHS) {
    if (L > Math.min(maxLength, nfft)) break;
    const taps = truncateFir(h, L);
    const errorDb = realizationErrorDb(taps, resp, nfft, o.sampleRate, o.bandHz, o.referenceLevel ?? 1);
    best = { taps, errorDb };
    if (errorDb <= o.errorBoundDb) break;
  }
  return best!;
}
