// Design file -> fixed-point program -> generated sources. Shared by the CLI and the tests.
import { join } from 'node:path';
import { generateSources } from './codegen/generate.ts';
import { writeFolderAtomic } from './codegen/writeFolder.ts';
import { DesignFileError } from './designfile/errors.ts';
import { type LoadedDesign, loadDesign } from './designfile/load.ts';
import type { FixedProgram } from './fixed/program.ts';
import { QuantizeError, type QuantizeReport, quantizeGraph } from './fixed/quantize.ts';
import { type SpatialDesign, designSpatial } from './design/spatial.ts';
import { filtersJson } from './export/filtersJson.ts';

export const PROJECT_ROOT = join(import.meta.dirname, '..');
export const DEFAULT_DESIGN = join(PROJECT_ROOT, 'designs', 'studio-3.json');

export interface BuiltDesign {
  design: LoadedDesign;
  /** The spatial design, for geometry designs. */
  spatial?: SpatialDesign;
  program: FixedProgram;
  report: QuantizeReport;
  files: Map<string, string>;
}

export function buildDesign(file: string): BuiltDesign {
  const design = loadDesign(file);
  const spatial = design.kind === 'geometry' ? designSpatial(design.geometry, design.spatial, design.blockSize) : undefined;
  const graph = design.kind === 'geometry' ? spatial!.graph : design.graph;
  let q;
  try {
    q = quantizeGraph(graph);
  } catch (e) {
    if (e instanceof QuantizeError) throw new DesignFileError(file, [{ path: e.path, message: e.message.slice(e.path.length + 2) }]);
    throw e;
  }
  const files = generateSources(q.program);
  if (spatial) files.set('filters.json', JSON.stringify(filtersJson(spatial, q.program)) + '\n');
  return { design, spatial, program: q.program, report: q.report, files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

export function generatedDir(name: string, outRoot = join(PROJECT_ROOT, 'generated')): string {
  return join(outRoot, name);
}

export function writeBuilt(built: BuiltDesign, dir: string): void {
  writeFolderAtomic(dir, built.files);
}
