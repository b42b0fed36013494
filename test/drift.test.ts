// generated/ is committed; it must equal a fresh build of every example design, byte for byte.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, buildDesign, buildDesignWithReport, exampleDesignFiles, generatedDir } from '../src/pipeline.ts';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const designs = exampleDesignFiles();

it('every folder in generated/ comes from a design', () => {
  const names = designs.map((f) => f.replace(/\.json$/, ''));
  for (const dir of readdirSync(join(PROJECT_ROOT, 'generated'))) expect(names).toContain(dir);
});

describe('generated/ matches a fresh build', () => {
  it('has the example designs', () => {
    for (const n of ['manual-crossover', 'stereo-pair', 'compact-2', 'studio-3', 'bar-5', 'voice-ns']) expect(designs).toContain(`${n}.json`);
  });
  for (const file of designs) {
    it(file, async () => {
      const built = await buildDesignWithReport(join(PROJECT_ROOT, 'designs', file));
      const dir = generatedDir(built.design.name);
      expect(listFiles(dir), `file list of ${relative(PROJECT_ROOT, dir)}`).toEqual([...built.files.keys()]);
      for (const [rel, content] of built.files) {
        expect(readFileSync(join(dir, rel), 'utf8'), `${rel} differs: run 'node bin/arrayc.mjs build designs/${file}'`).toBe(content);
      }
    });
  }
  it('is deterministic: two builds give identical sources', () => {
    const a = buildDesign(join(PROJECT_ROOT, 'designs', 'manual-crossover.json')).files;
    const b = buildDesign(join(PROJECT_ROOT, 'designs', 'manual-crossover.json')).files;
    expect([...a]).toEqual([...b]);
  });
});
