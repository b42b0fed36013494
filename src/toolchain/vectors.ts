// Test vectors for bit-exact verification: random and adversarial material, planar int32.
import { INT32_MAX, INT32_MIN } from '../fixed/arith.ts';

/** Deterministic 32-bit PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export interface VectorSegment {
  name: string;
  frames: number;
  fill(ch: number, out: Int32Array, rand: () => number): void;
}

const FS = INT32_MAX;

export const SEGMENTS: VectorSegment[] = [
  { name: 'random full-range', frames: 9600, fill: (_c, o, r) => o.forEach((_, i) => (o[i] = r() | 0)) },
  {
    name: 'full-scale square waves',
    frames: 9600,
    fill: (c, o) => {
      const half = 11 + 7 * c;
      o.forEach((_, i) => (o[i] = Math.floor(i / half) % 2 === 0 ? INT32_MAX : INT32_MIN));
    },
  },
  {
    name: '+/- full-scale impulses',
    frames: 9600,
    fill: (c, o) => {
      o.fill(0);
      for (let k = 0, i = 37 * c; i < o.length; k++, i += 1200) o[i] = k % 2 === 0 ? INT32_MAX : INT32_MIN;
    },
  },
  { name: 'silence', frames: 4800, fill: (_c, o) => o.fill(0) },
  {
    name: 'log sine sweep 20 Hz-20 kHz, -0.1 dBFS',
    frames: 9600,
    fill: (c, o) => {
      const n = o.length, f0 = 20 / 48000, f1 = 20000 / 48000, k = Math.log(f1 / f0);
      o.forEach((_, i) => {
        const phase = (2 * Math.PI * f0 * n * (Math.exp((k * i) / n) - 1)) / k + c;
        o[i] = Math.round(Math.sin(phase) * FS * 0.9886);
      });
    },
  },
  { name: 'random signs at full scale', frames: 4800, fill: (_c, o, r) => o.forEach((_, i) => (o[i] = r() & 1 ? INT32_MAX : INT32_MIN)) },
  { name: 'random low level (16-bit range)', frames: 4800, fill: (_c, o, r) => o.forEach((_, i) => (o[i] = (r() | 0) >> 16)) },
  {
    name: 'full-scale DC runs',
    frames: 4800,
    fill: (c, o) => o.forEach((_, i) => (o[i] = (i < 2400) !== (c % 2 === 1) ? INT32_MAX : INT32_MIN)),
  },
];

export const DEFAULT_VECTOR_FRAMES = SEGMENTS.reduce((a, s) => a + s.frames, 0);

/** The standard vector set: every segment, every channel, concatenated. */
export function testVectors(channels: number, seed = 1): Int32Array[] {
  const rand = prng(seed);
  return Array.from({ length: channels }, (_, c) => {
    const x = new Int32Array(DEFAULT_VECTOR_FRAMES);
    let at = 0;
    for (const s of SEGMENTS) {
      const seg = new Int32Array(s.frames);
      s.fill(c, seg, rand);
      x.set(seg, at);
      at += s.frames;
    }
    return x;
  });
}

/** Name of the segment holding `frame` in a concatenation of `segments`. */
export function segmentAt(frame: number, segments: readonly { name: string; frames: number }[] = SEGMENTS): string {
  let at = 0;
  for (const s of segments) {
    if (frame < at + s.frames) return s.name;
    at += s.frames;
  }
  return 'beyond the vectors';
}

export function interleave(planar: Int32Array[]): Int32Array {
  const n = planar[0]?.length ?? 0;
  const c = planar.length;
  const out = new Int32Array(n * c);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < n; i++) out[i * c + ch] = planar[ch][i];
  return out;
}
