// Bring-your-own-filters designs: the design file gives the filters directly (float SOS and FIR
// coefficients, delays, gains, routing). Validated into a FloatGraph.
import { z } from 'zod';
import type { FloatBlock, FloatGraph, FloatSignal, Sos } from '../design/graph.ts';
import { maxPoleRadius, normalizeSos } from '../design/graph.ts';
import { MAX_DELAY_SAMPLES } from '../fixed/blocks/delay.ts';
import { TARGETS } from '../toolchain/targets.ts';

const ident = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'expected an identifier (letter, then letters, digits or _)');
const signal = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}(:\d+)?$/, "expected a signal name: an input name, a block id, or 'blockId:channel'");
const finite = z.number().finite();

const block = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('biquad'),
    id: ident,
    input: signal,
    sos: z.array(z.tuple([finite, finite, finite, finite, finite, finite], { error: 'expected 6 numbers [b0, b1, b2, a0, a1, a2]' })).min(1),
    errorFeedback: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  }),
  z.strictObject({
    kind: z.literal('fir'),
    id: ident,
    input: signal,
    taps: z.array(finite).min(1).max(16384),
    precision: z.enum(['q31', 'q15']).default('q31'),
  }),
  z.strictObject({ kind: z.literal('delay'), id: ident, input: signal, delaySamples: z.number().int().min(0).max(MAX_DELAY_SAMPLES) }),
  z.strictObject({ kind: z.literal('gain'), id: ident, input: signal, gainDb: finite.min(-200).max(90) }),
  z.strictObject({ kind: z.literal('mix'), id: ident, inputs: z.array(signal).min(1).max(64), matrix: z.array(z.array(finite)).min(1).max(256) }),
  z.strictObject({ kind: z.literal('add'), id: ident, inputs: z.array(signal).min(1).max(64) }),
], { error: (iss) => (iss.code === 'invalid_union' ? "unknown block kind: expected one of 'biquad', 'fir', 'delay', 'gain', 'mix', 'add'" : undefined) });

export const manualDesignSchema = z.strictObject({
  kind: z.literal('manual'),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lower-case letters, digits and -'),
  description: z.string().optional(),
  sampleRate: z.number().int().min(8000).max(384000),
  blockSize: z.number().int().min(1).max(4096).default(48),
  target: z.enum(TARGETS).default('cortex-m4'),
  inputs: z.array(ident).min(1).max(64),
  blocks: z.array(block).min(1),
  outputs: z.array(z.strictObject({ name: ident, source: signal })).min(1).max(256),
});

export type ManualDesign = z.infer<typeof manualDesignSchema>;
type RawBlock = ManualDesign['blocks'][number];

/** Semantic checks and conversion; issues are [fieldPath, message]. */
export function manualDesignToGraph(d: ManualDesign): { graph?: FloatGraph; issues: [string, string][] } {
  const issues: [string, string][] = [];
  const inputIndex = new Map(d.inputs.map((n, i) => [n, i]));
  const byId = new Map<string, { raw: RawBlock; index: number }>();
  d.inputs.forEach((n, i) => {
    if (d.inputs.indexOf(n) !== i) issues.push([`inputs[${i}]`, `duplicate input name '${n}'`]);
  });
  d.blocks.forEach((b, i) => {
    if (byId.has(b.id) || inputIndex.has(b.id)) issues.push([`blocks[${i}].id`, `'${b.id}' is already used by another block or input`]);
    else byId.set(b.id, { raw: b, index: i });
  });
  const outputsOf = (b: RawBlock) => (b.kind === 'mix' ? b.matrix.length : 1);

  const resolve = (s: string, path: string): FloatSignal | null => {
    const [name, ch] = s.split(':');
    if (inputIndex.has(name)) {
      if (ch !== undefined) issues.push([path, `input '${name}' has one channel; write '${name}'`]);
      return { input: inputIndex.get(name)! };
    }
    const target = byId.get(name);
    if (!target) {
      issues.push([path, `'${s}' is neither an input (${d.inputs.join(', ')}) nor a block id`]);
      return null;
    }
    const channel = ch === undefined ? 0 : Number(ch);
    const n = outputsOf(target.raw);
    if (channel >= n) {
      issues.push([path, `block '${name}' has ${n} output channel(s); channel ${channel} does not exist`]);
      return null;
    }
    return { block: name, channel };
  };

  const rawInputs = (b: RawBlock) => ('input' in b ? [b.input] : b.inputs);
  const converted = new Map<string, FloatBlock>();
  d.blocks.forEach((b, i) => {
    const path = `blocks[${i}]`;
    const refs = rawInputs(b).map((s, k) => resolve(s, 'input' in b ? `${path}.input` : `${path}.inputs[${k}]`));
    if (refs.some((r) => r === null)) return;
    const inputs = refs as FloatSignal[];
    switch (b.kind) {
      case 'biquad':
        b.sos.forEach((s, k) => {
          if (s[3] === 0) {
            issues.push([`${path}.sos[${k}][3]`, 'a0 must not be 0']);
            return;
          }
          const [, , , a1, a2] = normalizeSos(s as Sos);
          const r = maxPoleRadius(a1, a2);
          if (!(r < 1)) issues.push([`${path}.sos[${k}]`, `unstable section: pole radius ${r.toPrecision(6)} (expected < 1)`]);
        });
        converted.set(b.id, { kind: 'biquad', id: b.id, inputs: [inputs[0]], sos: b.sos as Sos[], errorFeedback: b.errorFeedback });
        break;
      case 'fir':
        converted.set(b.id, { kind: 'fir', id: b.id, inputs: [inputs[0]], taps: b.taps, precision: b.precision });
        break;
      case 'delay':
        converted.set(b.id, { kind: 'delay', id: b.id, inputs: [inputs[0]], delaySamples: b.delaySamples });
        break;
      case 'gain':
        converted.set(b.id, { kind: 'gain', id: b.id, inputs: [inputs[0]], gain: 10 ** (b.gainDb / 20) });
        break;
      case 'mix':
        b.matrix.forEach((row, m) => {
          if (row.length !== b.inputs.length) issues.push([`${path}.matrix[${m}]`, `expected ${b.inputs.length} gains (one per input), got ${row.length}`]);
        });
        converted.set(b.id, { kind: 'mix', id: b.id, inputs, matrix: b.matrix });
        break;
      case 'add':
        converted.set(b.id, { kind: 'add', id: b.id, inputs });
        break;
    }
  });
  const outputs: FloatGraph['outputs'] = [];
  d.outputs.forEach((o, k) => {
    if (d.outputs.findIndex((x) => x.name === o.name) !== k) issues.push([`outputs[${k}].name`, `duplicate output name '${o.name}'`]);
    const r = resolve(o.source, `outputs[${k}].source`);
    if (r) outputs.push({ name: o.name, source: r });
  });
  if (issues.length) return { issues };

  // Topological order (the file may list blocks in any order); a cycle is an error.
  const order: FloatBlock[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, chain: string[]): boolean => {
    const st = state.get(id);
    if (st === 'done') return true;
    if (st === 'visiting') {
      issues.push([`blocks[${byId.get(id)!.index}]`, `feedback loop: ${[...chain.slice(chain.indexOf(id)), id].join(' -> ')} (the graph must be acyclic)`]);
      return false;
    }
    state.set(id, 'visiting');
    const b = converted.get(id)!;
    for (const s of b.inputs) if ('block' in s && !visit(s.block, [...chain, id])) return false;
    state.set(id, 'done');
    order.push(b);
    return true;
  };
  for (const b of d.blocks) if (!visit(b.id, [])) break;
  for (const [id, { index }] of byId) converted.get(id)!.origin = `blocks[${index}]`;
  if (issues.length) return { issues };
  return {
    graph: { name: d.name, sampleRate: d.sampleRate, blockSize: d.blockSize, inputs: d.inputs, blocks: order, outputs },
    issues,
  };
}
