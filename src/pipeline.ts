// Design file -> fixed-point program -> generated sources. Shared by the CLI and the tests.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cName, generateSources } from './codegen/generate.ts';
import { writeFolderAtomic } from './codegen/writeFolder.ts';
import { evaluateDesign, plainPlaybackFilters } from './design/evaluate.ts';
import { type SpatialDesign, channelImpulseResponses, designSpatial, designedFilters } from './design/spatial.ts';
import { defaultUpmixParams } from './design/upmix.ts';
import { DesignFileError } from './designfile/errors.ts';
import { type LoadedDesign, loadDesign } from './designfile/load.ts';
import { filtersJson, quantizedImpulseResponses } from './export/filtersJson.ts';
import { idleNoise } from './fixed/idleNoise.ts';
import type { FixedProgram } from './fixed/program.ts';
import { QuantizeError, type QuantizeReport, quantizeGraph } from './fixed/quantize.ts';
import { withUpmix } from './fixed/withUpmix.ts';
import { type NoiseSuppressorProgram, noiseSuppressorProgram } from './fixed/ns/nsProgram.ts';
import { type NsReportInput, buildNsReport } from './report/nsReport.ts';
import { type ReportInput, buildReport } from './report/report.ts';
import { benchProgram } from './toolchain/bench.ts';
import { programObjectSizes } from './toolchain/sizes.ts';

export const PROJECT_ROOT = join(import.meta.dirname, '..');
export const DEFAULT_DESIGN = join(PROJECT_ROOT, 'designs', 'studio-3.json');

export interface BuiltDesign {
  design: LoadedDesign;
  /** The spatial design, for geometry designs. */
  spatial?: SpatialDesign;
  /** The firmware program (geometry designs: upmix + channel program). */
  program: FixedProgram;
  /** The program of the filter paths alone (inputs: the upmixed channels for geometry designs). */
  channelProgram: FixedProgram;
  /** Quantization of a filter design (absent for a noise suppressor). */
  report?: QuantizeReport;
  /** Everything report.html shows except what is measured on the toolchain (sizes, instructions). */
  reportInput?: ReportInput;
  /** Noise-suppressor designs: the quantized network and what its report shows. */
  ns?: NoiseSuppressorProgram & { reportInput: NsReportInput };
  files: Map<string, string>;
}

function buildNoiseSuppressor(design: Extract<LoadedDesign, { kind: 'noise-suppressor' }>): BuiltDesign {
  const ns = noiseSuppressorProgram(design.name, design.settings, design.weights, design.weightsFile);
  const files = generateSources(ns.program);
  const reportInput: NsReportInput = { name: design.name, description: design.settings.description, target: design.target, settings: design.settings, program: ns.program, network: ns.network, weights: design.weights };
  return { design, program: ns.program, channelProgram: ns.program, ns: { ...ns, reportInput }, files: sortedFiles(files) };
}

export function buildDesign(file: string): BuiltDesign {
  const design = loadDesign(file);
  if (design.kind === 'noise-suppressor') return buildNoiseSuppressor(design);
  const spatial = design.kind === 'geometry' ? designSpatial(design.geometry, design.spatial, design.blockSize) : undefined;
  const graph = design.kind === 'geometry' ? spatial!.graph : design.graph;
  let q;
  try {
    q = quantizeGraph(graph);
  } catch (e) {
    if (e instanceof QuantizeError) throw new DesignFileError(file, [{ path: e.path, message: e.message.slice(e.path.length + 2) }]);
    throw e;
  }
  // Geometry designs: the channel program (inputs: upmixed L, R, C) gets the upmix in front.
  const program = design.kind === 'geometry' ? withUpmix(q.program, { ...defaultUpmixParams(design.geometry.sampleRate, design.blockSize), timeConstantS: design.upmixTimeConstantS }) : q.program;
  const files = generateSources(program);
  const description = (JSON.parse(readFileSync(file, 'utf8')) as { description?: string }).description;
  const common = { name: design.name, description, target: design.target, program, idleNoise: idleNoise(program) };
  let reportInput: ReportInput;
  if (design.kind === 'geometry') {
    const s = spatial!;
    const g = s.geometry;
    const f = filtersJson(s, q.program);
    files.set('filters.json', JSON.stringify(f) + '\n');
    reportInput = {
      ...common,
      geometry: g,
      spatial: s,
      evaluation: evaluateDesign(g, designedFilters(s), `designed filters (CTC ${design.spatial.ctc.robustness}, ${s.centre.kind} centre)`, { kind: 'sphere' }),
      plainEvaluation: evaluateDesign(g, plainPlaybackFilters(g), 'plain playback (each channel to its home drivers)', { kind: 'sphere' }),
      impulseResponses: { float: f.channels, quantized: f.quantized.channels },
    };
  } else {
    reportInput = {
      ...common,
      geometry: null,
      spatial: null,
      evaluation: null,
      impulseResponses: { float: channelImpulseResponses(design.graph), quantized: quantizedImpulseResponses(q.program) },
    };
  }
  return { design, spatial, program, channelProgram: q.program, report: q.report, reportInput, files: sortedFiles(files) };
}

const sortedFiles = (files: Map<string, string>) => new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * buildDesign plus report.html, whose code-size table needs the program compiled for every
 * Cortex-M target (the program's own object file: code, coefficient tables, state; no harness
 * or C library) and whose instruction budget needs a traced QEMU run on the design's target.
 */
export async function buildDesignWithReport(file: string): Promise<BuiltDesign> {
  const built = buildDesign(file);
  const codeSize = await programObjectSizes(built.files, cName(built.program.name));
  // The instruction budget on the design's own target (QEMU instruction counts, arrayc bench).
  const work = mkdtempSync(join(tmpdir(), 'arrayc-report-bench-'));
  let instructionBudget;
  try {
    const dir = join(work, 'src');
    writeFolderAtomic(dir, built.files);
    const target = built.design.target === 'host' ? 'cortex-m4' : built.design.target;
    const bench = await benchProgram(built.program, dir, target);
    instructionBudget = bench.blocks.map((b) => ({ block: b.name, kind: b.kind, instructionsPerSample: b.instructionsPerSample, macsPerSample: b.macsPerSample }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  built.files.set('report.html', built.ns ? buildNsReport({ ...built.ns.reportInput, codeSize, instructionBudget }) : buildReport({ ...built.reportInput!, codeSize, instructionBudget }));
  built.files = sortedFiles(built.files);
  return built;
}

/** The example design files in designs/ (a noise suppressor's weights file sits beside them). */
export function exampleDesignFiles(root = PROJECT_ROOT): string[] {
  return readdirSync(join(root, 'designs'))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.weights.json'))
    .sort();
}

export function generatedDir(name: string, outRoot = join(PROJECT_ROOT, 'generated')): string {
  return join(outRoot, name);
}

export function writeBuilt(built: BuiltDesign, dir: string): void {
  writeFolderAtomic(dir, built.files);
}
