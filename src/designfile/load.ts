// Read and validate a design file. Every problem names the file, the field path, the value found
// and what was expected.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { ArrayGeometry } from '../design/geometry.ts';
import type { FloatGraph } from '../design/graph.ts';
import type { SpatialSettings } from '../design/spatial.ts';
import type { Target } from '../toolchain/targets.ts';
import { DesignFileError, formatPath, showValue } from './errors.ts';
import { geometryDesignSchema, geometryDesignToModel } from './geometryDesign.ts';
import { manualDesignSchema, manualDesignToGraph } from './manual.ts';
import { type NoiseSuppressorDesign, noiseSuppressorDesignSchema } from './noiseSuppressorDesign.ts';
import { NS_BANDS, NS_FEATURES } from '../fixed/ns/suppressor.ts';
import { type NsFloatWeights, NsWeightsError, loadWeights } from '../fixed/ns/weights.ts';

interface DesignCommon {
  file: string;
  name: string;
  target: Target;
}

export type LoadedDesign =
  | (DesignCommon & { kind: 'manual'; graph: FloatGraph })
  | (DesignCommon & { kind: 'geometry'; geometry: ArrayGeometry; spatial: SpatialSettings; blockSize: number; upmixTimeConstantS: number })
  | (DesignCommon & { kind: 'noise-suppressor'; settings: NoiseSuppressorDesign; weightsFile: string; weights: NsFloatWeights });

export const DESIGN_KINDS = ['manual', 'geometry', 'noise-suppressor'] as const;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

export function parseDesign(file: string, text: string): LoadedDesign {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DesignFileError(file, [{ path: '', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  const kind = valueAt(json, ['kind']);
  const issuesToError = (issues: [string, string][]) => new DesignFileError(file, issues.map(([path, message]) => ({ path, message })));
  if (kind === 'manual') {
    const data = checkSchema(file, json, manualDesignSchema);
    const { graph, issues } = manualDesignToGraph(data);
    if (!graph) throw issuesToError(issues);
    return { file, name: data.name, kind: 'manual', target: data.target, graph };
  }
  if (kind === 'geometry') {
    const data = checkSchema(file, json, geometryDesignSchema);
    const { geometry, spatial, blockSize, upmixTimeConstantS, issues } = geometryDesignToModel(data);
    if (!geometry) throw issuesToError(issues);
    return { file, name: data.name, kind: 'geometry', target: data.target, geometry, spatial, blockSize, upmixTimeConstantS };
  }
  if (kind === 'noise-suppressor') {
    const data = checkSchema(file, json, noiseSuppressorDesignSchema);
    const weightsFile = resolve(dirname(file), data.network.weights);
    const weights = loadNsWeights(file, weightsFile);
    // The design states the network's sizes; the weights file must have exactly those.
    const issues: [string, string][] = [];
    if (weights.conv.outputSize !== data.network.convChannels) {
      issues.push(['network.convChannels', `${data.network.convChannels}, but the weights file's conv layer '${weights.conv.name}' has ${weights.conv.outputSize} output channels`]);
    }
    const gruSizes = weights.grus.map((g) => g.hiddenSize);
    if (gruSizes.join(',') !== data.network.gruSizes.join(',')) {
      issues.push(['network.gruSizes', `[${data.network.gruSizes.join(', ')}], but the weights file's GRU layers (${weights.grus.map((g) => `'${g.name}'`).join(', ')}) have hidden sizes [${gruSizes.join(', ')}]`]);
    }
    if (issues.length) throw issuesToError(issues);
    return { file, name: data.name, kind: 'noise-suppressor', target: data.target, settings: data, weightsFile, weights };
  }
  throw new DesignFileError(file, [{ path: 'kind', message: `unknown design kind ${showValue(kind)}; expected one of ${DESIGN_KINDS.map((k) => `'${k}'`).join(', ')}` }]);
}

function checkSchema<T extends z.ZodType>(file: string, json: unknown, schema: T): z.infer<T> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new DesignFileError(
    file,
    parsed.error.issues.map((i: z.core.$ZodIssue) => {
      const value = valueAt(json, i.path);
      const expected = i.message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '');
      const missing = value === undefined && i.code === 'invalid_type';
      return { path: formatPath(i.path), message: missing ? `missing: ${expected}` : `${expected}, found ${showValue(value)}` };
    }),
  );
}

export function loadDesign(file: string): LoadedDesign {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DesignFileError(file, [{ path: '', message: `cannot read the design file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  return parseDesign(file, text);
}

function loadNsWeights(designFile: string, weightsFile: string): NsFloatWeights {
  let text: string;
  try {
    text = readFileSync(weightsFile, 'utf8');
  } catch (e) {
    throw new DesignFileError(designFile, [{ path: 'network.weights', message: `cannot read the weights file ${weightsFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DesignFileError(weightsFile, [{ path: '', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  try {
    return loadWeights(json, weightsFile, { inputSize: NS_FEATURES, bandCount: NS_BANDS });
  } catch (e) {
    if (e instanceof NsWeightsError) throw new DesignFileError(e.file, e.issues);
    throw e;
  }
}
