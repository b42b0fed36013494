// Fixed-point program -> C sources, test harness and build files. Knows C and templates; the
// arithmetic of each block comes from its kind (src/fixed/blocks).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { CTable } from '../fixed/blockKind.ts';
import type { FixedProgram, SignalRef } from '../fixed/program.ts';
import { blockKind } from '../fixed/registry.ts';
import { validateProgram } from '../fixed/validate.ts';
import { type BoardTarget, TEMPLATE_DIR, boardTargets } from '../toolchain/boards.ts';

const BLOCKS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixed', 'blocks');

const templateCache = new Map<string, HandlebarsTemplateDelegate>();
function template(path: string): HandlebarsTemplateDelegate {
  let t = templateCache.get(path);
  if (!t) {
    t = Handlebars.compile(readFileSync(path, 'utf8'), { noEscape: true, strict: true });
    templateCache.set(path, t);
  }
  return t;
}

export function cName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

function formatTable(t: CTable): string {
  const perLine = t.ctype === 'int32_t' ? 8 : 12;
  const v = Array.from(t.values, (x) => (x === -2147483648 ? '(-2147483647 - 1)' : String(x)));
  const lines: string[] = [];
  for (let i = 0; i < v.length; i += perLine) lines.push(`    ${v.slice(i, i + perLine).join(', ')},`);
  return lines.join('\n');
}

/** Generated files, path relative to the design's folder -> content. Deterministic. */
export function generateSources(program: FixedProgram): Map<string, string> {
  validateProgram(program);
  const cname = cName(program.name);
  const NAME = cname.toUpperCase();
  const bufName = (ref: SignalRef) => ('input' in ref ? `in[${ref.input}]` : `sig_${ref.block}_${ref.channel}`);

  // The process function copies its outputs with arrayc_copy_words.
  const kernelFiles: string[] = ['copyWords.c'];
  const tables: { ctype: string; name: string; length: number; body: string }[] = [];
  const state: { ctype: string; name: string; length: number }[] = [];
  const buffers: string[] = [];
  const instanceCode: string[] = [];
  const calls: { index: number; id: string; kind: string; call: string; traces: { node: number; buf: string }[] }[] = [];
  let macs = 0;
  let node = 0;
  program.blocks.forEach((b, index) => {
    const def = blockKind(b);
    const inst = def.cInstance(b, `b_${b.id}`, program.blockSize);
    // Only the kernels of kinds in the program (each file once): an unused static function
    // would fail -Werror.
    for (const f of typeof def.cTemplate === 'string' ? [def.cTemplate] : def.cTemplate) if (!kernelFiles.includes(f)) kernelFiles.push(f);
    if (inst.code) instanceCode.push(inst.code.trimEnd());
    for (const t of inst.tables) tables.push({ ctype: t.ctype, name: t.name, length: t.values.length, body: formatTable(t) });
    for (const s of inst.state) state.push({ ...s });
    const outputs = Array.from({ length: def.outputCount(b) }, (_, ch) => bufName({ block: b.id, channel: ch }));
    buffers.push(...outputs);
    macs += def.macsPerFrame(b);
    calls.push({
      index,
      id: b.id,
      kind: b.kind,
      call: inst.call({ inputs: b.inputs.map(bufName), outputs, frames: `ARRAYC_${NAME}_BLOCK_SIZE` }),
      traces: outputs.map((buf) => ({ node: node++, buf })),
    });
  });
  const kernels = kernelFiles.map((f) => readFileSync(join(BLOCKS_DIR, f), 'utf8').trimEnd());
  const ctx = {
    name: program.name,
    cname,
    NAME,
    sampleRate: program.sampleRate,
    blockSize: program.blockSize,
    numInputs: program.inputs.length,
    numOutputs: program.outputs.length,
    numNodes: node,
    numBlocks: program.blocks.length,
    macsPerFrame: macs,
    inputs: program.inputs,
    outputs: program.outputs.map((o) => o.name),
    kernels,
    tables,
    state,
    buffers,
    instanceCode,
    calls,
    outputCopies: program.outputs.map((o) => bufName(o.source)),
  };
  const targets = boardTargets();
  const files = new Map<string, string>();
  files.set(`arrayc_${cname}.h`, template(join(TEMPLATE_DIR, 'program.h.hbs'))(ctx));
  files.set(`arrayc_${cname}.c`, template(join(TEMPLATE_DIR, 'program.c.hbs'))(ctx));
  files.set('harness.c', template(join(TEMPLATE_DIR, 'harness.c.hbs'))(ctx));
  files.set('bench.c', template(join(TEMPLATE_DIR, 'bench.c.hbs'))(ctx));
  files.set(
    'Makefile',
    template(join(TEMPLATE_DIR, 'Makefile.hbs'))({
      ...ctx,
      targets: targets.map((t: BoardTarget) => ({
        name: t.name,
        cflags: t.cflags.join(' '),
        ldflags: t.ldflags.join(' '),
        startup: t.startup.join(' '),
        qemuArgs: t.qemuArgs.join(' '),
      })),
    }),
  );
  for (const t of targets) {
    for (const f of [...t.startup, t.ldscript]) files.set(f, readFileSync(join(TEMPLATE_DIR, f), 'utf8'));
  }
  files.set('program.json', JSON.stringify(program, null, 1) + '\n');
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
