// Regenerates the benchmark table in README.md (between the bench-table markers) from
// `arrayc bench` measurements: per kernel (synthetic programs) and per example design, per
// Cortex-M target. QEMU instruction counts, not cycles. Run: npx tsx scripts/bench-table.ts
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSources } from '../src/codegen/generate.ts';
import { writeFolderAtomic } from '../src/codegen/writeFolder.ts';
import type { Block, FixedProgram } from '../src/fixed/program.ts';
import { PROJECT_ROOT, buildDesign, exampleDesignFiles } from '../src/pipeline.ts';
import { benchProgram } from '../src/toolchain/bench.ts';
import { QEMU_TARGETS } from '../src/toolchain/targets.ts';

const work = mkdtempSync(join(tmpdir(), 'arrayc-benchtable-'));
const bench = async (p: FixedProgram, target: (typeof QEMU_TARGETS)[number]) => {
  const dir = join(work, `${p.name}-${target}`);
  writeFolderAtomic(dir, generateSources(p));
  return benchProgram(p, dir, target);
};
const single = (name: string, block: Block): FixedProgram => ({
  name, sampleRate: 48000, blockSize: 48, inputs: ['x'], blocks: [block],
  outputs: [{ name: 'y', source: { block: block.id, channel: 0 }, scale: 1 }],
});
const taps = (n: number, amp: number) => Array.from({ length: n }, (_, k) => Math.round(amp * Math.sin(k + 1) / n));
// Biquad cascades of 8 identical sections: low-pass, poles at radius 0.5, at Q2.30. With b0 b1 b2 =
// 1/8 1/4 1/8 the impulse response's L1 norm is 0.82 per section, so the benchmark's full-scale
// noise never saturates (the designs' headroom keeps their filters out of saturation too); with
// 1/4 1/2 1/4 (L1 norm 1.64) the cascade saturates, which sends a block to the portable kernel.
const biquad = (name: string, b: number[], ef: boolean): FixedProgram =>
  single(name, { kind: 'biquadDf1Q31', id: 'bq', inputs: [{ input: 0 }], coefs: Array.from({ length: 8 }, () => [...b, 1 << 29, -(1 << 28)]).flat(), coefFracBits: 30, errorFeedback: new Array(8).fill(ef) });
const kernels: { label: string; unit: string; per: number; program: FixedProgram }[] = [
  { label: 'biquad DF1 Q31 (8 sections, error feedback off)', unit: 'per section', per: 8, program: biquad('kbiquad', [1 << 27, 1 << 28, 1 << 27], false) },
  { label: 'biquad DF1 Q31 (8 sections, error feedback on)', unit: 'per section', per: 8, program: biquad('kbiquadef', [1 << 27, 1 << 28, 1 << 27], true) },
  { label: 'biquad DF1 Q31 (8 sections, error feedback off, saturating)', unit: 'per section', per: 8, program: biquad('kbiquadsat', [1 << 28, 1 << 29, 1 << 28], false) },
  ...[256, 768].flatMap((n) => [
    { label: `FIR Q31 (${n} taps)`, unit: 'per tap', per: n, program: single(`kfir31_${n}`, { kind: 'firQ31', id: 'f', inputs: [{ input: 0 }], taps: taps(n, 2 ** 30), coefFracBits: 31 }) },
    { label: `FIR Q15 (${n} taps)`, unit: 'per tap', per: n, program: single(`kfir15_${n}`, { kind: 'firQ15', id: 'f', inputs: [{ input: 0 }], taps: taps(n, 2 ** 14), coefFracBits: 15 }) },
  ]),
];

const lines: string[] = [];
lines.push(`| kernel | ${QEMU_TARGETS.join(' | ')} |`, `|---|${QEMU_TARGETS.map(() => '---:').join('|')}|`);
for (const k of kernels) {
  const cells: string[] = [];
  for (const t of QEMU_TARGETS) {
    const r = await bench(k.program, t);
    cells.push((r.blocks[0].instructionsPerSample / k.per).toFixed(2));
  }
  lines.push(`| ${k.label}, instructions ${k.unit} per sample | ${cells.join(' | ')} |`);
  console.error(lines[lines.length - 1]);
}
lines.push('', `| design (MACs per sample) | ${QEMU_TARGETS.map((t) => `${t}: instructions/sample (per MAC)`).join(' | ')} |`, `|---|${QEMU_TARGETS.map(() => '---:').join('|')}|`);
for (const f of exampleDesignFiles()) {
  const built = buildDesign(join(PROJECT_ROOT, 'designs', f));
  const cells: string[] = [];
  let macs = 0;
  for (const t of QEMU_TARGETS) {
    const r = await bench(built.program, t);
    macs = r.macsPerSample;
    cells.push(`${r.instructionsPerSample.toFixed(0)} (${r.instructionsPerMac.toFixed(2)})`);
  }
  lines.push(`| ${built.design.name} (${macs}) | ${cells.join(' | ')} |`);
  console.error(lines[lines.length - 1]);
}
rmSync(work, { recursive: true, force: true });
const readme = join(PROJECT_ROOT, 'README.md');
const text = readFileSync(readme, 'utf8');
const start = '<!-- bench-table:start -->', end = '<!-- bench-table:end -->';
const a = text.indexOf(start), b = text.indexOf(end);
if (a < 0 || b < a) throw new Error('README.md has no bench-table markers');
writeFileSync(readme, `${text.slice(0, a + start.length)}\n${lines.join('\n')}\n${text.slice(b)}`);
console.error('README.md benchmark table updated');
