// Design file -> fixed-point program -> generated sources. Shared by the CLI and the tests.
import { join } from 'node:path';
import { generateSources } from './codegen/generate.ts';
import { writeFolderAtomic } from './codegen/writeFolder.ts';
import { DesignFileError } from './designfile/errors.ts';
import { type LoadedDesign, loadDesign } from './designfile/load.ts';
import type { FixedProgram } from './fixed/program.ts';
import { QuantizeError, type QuantizeReport, quantizeGraph } from './fixed/quantize.ts';

export const PROJECT_ROOT = join(import.meta.dirname, '..');
export const DEFAULT_DESIGN = join(PROJECT_ROOT, 'designs', 'manual-crossover.json');
/** The default for commands that need a geometry design (eval). */
export const DEFAULT_GEOMETRY_DESIGN = join(PROJECT_ROOT, 'designs', 'studio-3.json');

export interface BuiltDesign {
  design: LoadedDesign;
  program: FixedProgram;
  report: QuantizeReport;
  files: Map<string, string>;
}

export function buildDesign(file: string): BuiltDesign {
  const design = loadDesign(file);
  if (design.kind !== 'manual') {
    throw new DesignFileError(file, [{ path: 'kind', message: `'${design.kind}' designs can be evaluated (arrayc eval) but not built yet: the spatial filter design is not implemented` }]);
  }
  let q;
  try {
    q = quantizeGraph(design.graph);
  } catch (e) {
    if (e instanceof QuantizeError) throw new DesignFileError(file, [{ path: e.path, message: e.message.slice(e.path.length + 2) }]);
    throw e;
  }
  return { design, program: q.program, report: q.report, files: generateSources(q.program) };
}

export function generatedDir(name: string, outRoot = join(PROJECT_ROOT, 'generated')): string {
  return join(outRoot, name);
}

export function writeBuilt(built: BuiltDesign, dir: string): void {
  writeFolderAtomic(dir, built.files);
}
