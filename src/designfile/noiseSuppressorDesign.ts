// Noise-suppressor designs: a PercepNet-style speech enhancer for the voice path. The frame
// geometry is fixed by the fixed-point program (48 kHz, 20 ms window, 10 ms hop, 34 ERB bands);
// the file states it anyway so a reader sees it, and the loader refuses anything else. The
// network comes from a weights file (docs/ns-weights.md) whose layer sizes must match the ones
// stated here.
import { z } from 'zod';
import { TARGETS } from '../toolchain/targets.ts';

const finite = z.number().finite();

export const noiseSuppressorDesignSchema = z.strictObject({
  kind: z.literal('noise-suppressor'),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lower-case letters, digits and -'),
  description: z.string().optional(),
  target: z.enum(TARGETS).default('cortex-m4'),
  sampleRate: z.literal(48000, { error: 'expected 48000 (the suppressor runs at 48 kHz)' }),
  windowMs: z.literal(20, { error: 'expected 20 (a 960-sample window at 48 kHz)' }),
  hopMs: z.literal(10, { error: 'expected 10 (50% overlap of the 20 ms window)' }),
  bands: z.literal(34, { error: 'expected 34 ERB bands' }),
  network: z.strictObject({
    /** Path of the weights file, relative to the design file. */
    weights: z.string().min(1),
    convChannels: z.number().int().min(1).max(512),
    gruSizes: z.array(z.number().int().min(1).max(512)).min(1).max(4),
  }),
  /** Lowest gain applied to any band: bounds the attenuation (musical noise, speech damage). */
  gainFloorDb: finite.min(-80).max(0).default(-40),
  /** The perceptual post-filter (attenuates bands whose gain stays low). */
  postFilter: z.boolean().default(true),
  /** Below this pitch correlation (0..1) a frame is unvoiced: no comb filtering. */
  voicingThreshold: finite.min(0).max(1).default(0.3),
});

export type NoiseSuppressorDesign = z.infer<typeof noiseSuppressorDesignSchema>;
