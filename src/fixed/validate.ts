// Structural and static-bound checks of a fixed-point program. Both executors rely on them:
// the reference for exactness of its split arithmetic, the C for int64 never overflowing.
import { blockKind } from './registry.ts';
import type { FixedProgram, SignalRef } from './program.ts';

export class ProgramError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  }
}

const C_IDENT = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

export function validateProgram(p: FixedProgram): void {
  const issues: { path: string; message: string }[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (!C_IDENT.test(p.name.replace(/-/g, '_'))) add('name', `expected letters, digits, '_' or '-', got '${p.name}'`);
  if (!Number.isInteger(p.blockSize) || p.blockSize < 1 || p.blockSize > 4096) add('blockSize', `expected an integer in [1, 4096], got ${p.blockSize}`);
  if (p.inputs.length < 1) add('inputs', 'expected at least one input channel');
  const outCount = new Map<string, number>();
  const checkRef = (ref: SignalRef, path: string) => {
    if ('input' in ref) {
      if (!Number.isInteger(ref.input) || ref.input < 0 || ref.input >= p.inputs.length) add(path, `input ${ref.input} does not exist (program has ${p.inputs.length})`);
    } else {
      const n = outCount.get(ref.block);
      if (n === undefined) add(path, `block '${ref.block}' is not defined before this point`);
      else if (!Number.isInteger(ref.channel) || ref.channel < 0 || ref.channel >= n) add(path, `block '${ref.block}' has no output channel ${ref.channel} (it has ${n})`);
    }
  };
  p.blocks.forEach((b, i) => {
    const path = `blocks[${i}]`;
    if (!C_IDENT.test(b.id)) add(`${path}.id`, `expected a C identifier, got '${b.id}'`);
    if (outCount.has(b.id)) add(`${path}.id`, `duplicate block id '${b.id}'`);
    let def;
    try {
      def = blockKind(b);
    } catch {
      add(`${path}.kind`, `unknown block kind '${(b as { kind: string }).kind}'`);
      return;
    }
    const [lo, hi] = def.inputCount(b);
    if (b.inputs.length < lo || b.inputs.length > hi) add(`${path}.inputs`, `expected ${lo}..${hi} inputs, got ${b.inputs.length}`);
    b.inputs.forEach((r, k) => checkRef(r, `${path}.inputs[${k}]`));
    for (const [f, m] of def.check(b)) add(`${path}.${f}`, m);
    outCount.set(b.id, def.outputCount(b));
  });
  if (p.outputs.length < 1) add('outputs', 'expected at least one output channel');
  p.outputs.forEach((o, k) => checkRef(o.source, `outputs[${k}].source`));
  if (issues.length) throw new ProgramError(issues);
}
