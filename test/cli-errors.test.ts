// Bad design files: non-zero exit, a message naming the file, the field path and what was
// expected, and nothing written.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/pipeline.ts';
import { runCli } from './helpers.ts';

const base = JSON.parse(readFileSync(join(PROJECT_ROOT, 'designs', 'manual-crossover.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'arrayc-bad-'));

const cases: { name: string; mutate: (d: any) => void; path: string; expect: RegExp }[] = [
  { name: 'unknown block kind', mutate: (d) => (d.blocks[1].kind = 'lattice'), path: 'blocks[1].kind', expect: /unknown block kind.*'biquad'.*found "lattice"/ },
  { name: 'SOS row with 5 coefficients', mutate: (d) => d.blocks[1].sos[0].pop(), path: 'blocks[1].sos[0]', expect: /expected 6 numbers \[b0, b1, b2, a0, a1, a2\]/ },
  { name: 'mix row of wrong length', mutate: (d) => { d.blocks.push({ id: 'm', kind: 'mix', inputs: ['L', 'R'], matrix: [[1, 0], [1]] }); d.outputs.push({ name: 'm', source: 'm' }); }, path: 'blocks[18].matrix[1]', expect: /expected 2 gains \(one per input\), got 1/ },
  { name: 'unstable SOS', mutate: (d) => (d.blocks[1].sos[1] = [1, 0, 0, 1, -2.1, 1.2]), path: 'blocks[1].sos[1]', expect: /unstable section: pole radius 1\.095.*expected < 1/ },
  { name: 'missing sampleRate', mutate: (d) => delete d.sampleRate, path: 'sampleRate', expect: /missing: expected number/ },
  { name: 'block without input', mutate: (d) => delete d.blocks[2].input, path: 'blocks[2].input', expect: /missing: expected string/ },
  { name: 'non-numeric tap', mutate: (d) => (d.blocks[0].taps[5] = 'x'), path: 'blocks[0].taps[5]', expect: /expected number, found "x"/ },
  { name: 'null gain', mutate: (d) => (d.blocks[4].gainDb = null), path: 'blocks[4].gainDb', expect: /expected number, found null/ },
  { name: 'reference to nothing', mutate: (d) => (d.blocks[2].input = 'nowhere'), path: 'blocks[2].input', expect: /'nowhere' is neither an input \(L, R\) nor a block id/ },
  { name: 'feedback loop', mutate: (d) => (d.blocks[0].input = 'wooferAlignL'), path: 'blocks[0]', expect: /feedback loop: eqL -> wooferAlignL -> wooferL -> eqL/ },
  { name: 'unknown design kind', mutate: (d) => (d.kind = 'speakers'), path: 'kind', expect: /unknown design kind "speakers"; expected one of 'manual', 'geometry'/ },
  { name: 'unknown field', mutate: (d) => (d.blocks[3].gain = 2), path: 'blocks[3]', expect: /gain/ },
  { name: 'adder that can exceed full scale on raw inputs', mutate: (d) => { d.blocks.push({ id: 's', kind: 'add', inputs: ['L', 'R'] }); d.outputs.push({ name: 's', source: 's' }); }, path: 'blocks[18]', expect: /can reach 2\.000 x full scale.*put a gain block before it/ },
];

describe('bad design files', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const d = structuredClone(base);
      c.mutate(d);
      const file = join(work, `${c.name.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, JSON.stringify(d, null, 2));
      const out = join(work, `out-${c.name.replace(/\W+/g, '-')}`);
      const r = await runCli(['build', file, '--out', out]);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${file}: ${c.path}: `);
      expect(r.stderr).toMatch(c.expect);
      expect(existsSync(out), 'nothing is written').toBe(false);
    });
  }

  it('invalid JSON names the file', async () => {
    const file = join(work, 'broken.json');
    writeFileSync(file, '{ "kind": "manual", ');
    const r = await runCli(['build', file, '--out', join(work, 'out-broken')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${file}: \\(top level\\): not valid JSON`));
  });

  it('a missing file is reported', async () => {
    const r = await runCli(['verify', join(work, 'nope.json'), '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('nope.json: (top level): cannot read the design file: ENOENT');
  });

  it('an unknown target is refused by the CLI', async () => {
    const r = await runCli(['verify', join(PROJECT_ROOT, 'designs', 'manual-crossover.json'), '--target', 'cortex-a53']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/expected one of host, cortex-m4/);
  });
});
