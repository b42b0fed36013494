// arrayc eval end to end: plain playback of the example designs, head model and measured HRTFs.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/pipeline.ts';
import { runCli } from './helpers.ts';

const KEMAR = '/usr/share/libmysofa/MIT_KEMAR_normal_pinna.sofa';
const design = (n: string) => join(PROJECT_ROOT, 'designs', `${n}.json`);

describe('arrayc eval', () => {
  it('compact-2 with the KEMAR SOFA file (--json)', async () => {
    const r = await runCli(['eval', design('compact-2'), '--hrtf', KEMAR, '--plain', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.headModel).toBe('hrtf:MIT_KEMAR_normal_pinna.sofa');
    expect(typeof j.ctc.separationMedianDb).toBe('number');
    expect(typeof j.ctc.worstOffsetDb).toBe('number');
    expect(j.ctc.bandsDb.length).toBe(13);
    expect(j.ctc.bandsDb[0].hz).toBeCloseTo(315, 0);
    expect(j.ctc.bandsDb[12].hz).toBeCloseTo(5040, 0);
    expect(j.ctc.robustness.length).toBe(9);
    // Two drivers 15 cm apart at 2 m are seen at +/-2 degrees: plain playback barely separates.
    expect(j.ctc.separationMedianDb).toBeGreaterThan(0);
    expect(j.ctc.separationMedianDb).toBeLessThan(2);
    expect(j.ctc.worstOffsetDb).toBeLessThanOrEqual(j.ctc.separationMedianDb);
    expect(j.beam).toBeUndefined();
  });

  it('stereo-pair: plain playback separates more than a compact pair, with every head model', async () => {
    for (const args of [[], ['--head', 'brown-duda'], ['--hrtf', KEMAR]]) {
      const j = JSON.parse((await runCli(['eval', design('stereo-pair'), ...args, '--plain', '--json'])).stdout);
      expect(j.ctc.separationMedianDb).toBeGreaterThan(3);
      expect(j.ctc.separationMedianDb).toBeLessThan(10);
    }
  });

  it('studio-3 reports the centre beam (plain playback)', async () => {
    const r = await runCli(['eval', design('studio-3'), '--plain', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ['nullDepthMedianDb', 'mainLobeDroopMaxDb', 'whiteNoiseGainMinDb']) expect(typeof j.beam[k]).toBe('number');
    expect(j.beam.bandHz).toEqual([500, 2000]);
    // Plain playback of the front driver alone: no null, no droop, white-noise gain 0 dB.
    expect(Math.abs(j.beam.nullDepthMedianDb)).toBeLessThan(0.5);
    expect(Math.abs(j.beam.whiteNoiseGainMinDb)).toBeLessThan(1e-9);
    expect(j.beam.withDriverDirectivity.nullDepthMedianDb).toBeGreaterThanOrEqual(0);
    expect(j.beam.pattern.length).toBe(7);
    expect(j.effort.maxFilterGainDb).toBeCloseTo(0, 9);
  });

  it('designed filters by default: compact-2 on KEMAR separates far more than plain playback', async () => {
    const r = await runCli(['eval', design('compact-2'), '--hrtf', KEMAR, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.filters).toMatch(/^designed filters/);
    expect(j.ctc.separationMedianDb).toBeGreaterThan(18);
    expect(j.effort.maxFilterGainDb).toBeLessThanOrEqual(15);
  });

  it('human-readable output, and a manual design is refused', async () => {
    const r = await runCli(['eval', design('bar-5')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/separation at the ears.*median/);
    const m = await runCli(['eval', design('manual-crossover')]);
    expect(m.code).not.toBe(0);
    expect(m.stderr).toMatch(/kind: eval needs a 'geometry' design/);
  });

  it('a file that is not SOFA is refused with its name', async () => {
    const r = await runCli(['eval', design('compact-2'), '--hrtf', design('compact-2')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('compact-2.json');
  });
});
