// The noise suppressor's network weights file ("arrayc-ns-weights", version 1; docs/ns-weights.md):
// float weights per layer, as a trained model exports them. loadWeights checks the whole file and
// returns typed float weights; quantizeNetwork (network.ts) turns them into the integer tables.
//
// Topology (fixed by the format): one causal conv1d over time (the current feature frame and
// kernelFrames-1 past frames), one or more GRU layers in sequence (PyTorch semantics, gate order
// r, z, n), then two dense heads named "gains" and "strengths" (sigmoid), both reading the last
// GRU's hidden state. Every problem is reported with the file, the layer (index and name), the
// field, the value found and what was expected, so the CLI can print the message as it is.

export const NS_WEIGHTS_FORMAT = 'arrayc-ns-weights';
export const NS_WEIGHTS_VERSION = 1;

/** Largest layer dimension and kernel accepted (keeps tables and state offsets far inside int32). */
export const NS_MAX_LAYER_SIZE = 1024;
export const NS_MAX_KERNEL_FRAMES = 16;

export type NsActivation = 'tanh' | 'sigmoid';

export interface NsConvLayer {
  name: string;
  kernelFrames: number;
  inputSize: number;
  outputSize: number;
  activation: NsActivation;
  /** outputSize rows of kernelFrames*inputSize: row[f*inputSize + i] weighs input i of frame
   *  t-(kernelFrames-1)+f (f = 0 oldest, f = kernelFrames-1 the current frame). */
  weight: Float64Array[];
  bias: Float64Array;
}

export interface NsGruLayer {
  name: string;
  inputSize: number;
  hiddenSize: number;
  /** 3*hiddenSize rows (r, z, n) of inputSize. */
  weightIh: Float64Array[];
  /** 3*hiddenSize rows (r, z, n) of hiddenSize. */
  weightHh: Float64Array[];
  biasIh: Float64Array;
  biasHh: Float64Array;
}

export interface NsDenseLayer {
  name: string;
  inputSize: number;
  outputSize: number;
  activation: 'sigmoid';
  weight: Float64Array[];
  bias: Float64Array;
}

export interface NsFloatWeights {
  inputSize: number;
  conv: NsConvLayer;
  grus: NsGruLayer[];
  gains: NsDenseLayer;
  strengths: NsDenseLayer;
  description?: string;
}

/** A bad weights file: one line per problem, "<file>: <where>: <what>". */
export class NsWeightsError extends Error {
  constructor(
    readonly file: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(issues.map((i) => `${file}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    this.name = 'NsWeightsError';
  }
}

/** Issues kept per file: a wrong file usually has one cause; the first few lines show it. */
const MAX_ISSUES = 20;

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v); // NaN and Infinity as words, not null
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v !== null && typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** A string that names a non-finite number: JSON cannot hold NaN, exporters write it as text. */
const NON_FINITE_TEXT = /^\s*[+-]?(nan|inf|infinity)\s*$/i;

const LAYER_FIELDS: Record<string, readonly string[]> = {
  conv1d: ['name', 'type', 'kernelFrames', 'inputSize', 'outputSize', 'activation', 'weight', 'bias'],
  gru: ['name', 'type', 'inputSize', 'hiddenSize', 'weightIh', 'weightHh', 'biasIh', 'biasHh'],
  dense: ['name', 'type', 'inputSize', 'outputSize', 'activation', 'weight', 'bias'],
};
const TOP_FIELDS = ['format', 'version', 'description', 'inputSize', 'layers'];

class Checker {
  readonly issues: { path: string; message: string }[] = [];
  add(path: string, message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ path, message });
  }
  get ok(): boolean {
    return this.issues.length === 0;
  }

  size(obj: Record<string, unknown>, key: string, where: string, max: number): number | null {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      this.add(where ? `${where}.${key}` : key, `expected an integer in [1, ${max}], got ${show(v)}`);
      return null;
    }
    return v;
  }

  /** A finite number, or the reason it is not. */
  private numberProblem(v: unknown): string | null {
    if (typeof v === 'number') return Number.isFinite(v) ? null : `expected a finite number, got ${v}`;
    if (typeof v === 'string' && NON_FINITE_TEXT.test(v)) return `expected a finite number, got ${v.trim()}`;
    return `expected a finite number, got ${show(v)}`;
  }

  vector(v: unknown, where: string, length: number | null): Float64Array | null {
    if (!Array.isArray(v)) {
      this.add(where, `expected an array of ${length ?? 'some'} numbers, got ${show(v)}`);
      return null;
    }
    if (length !== null && v.length !== length) {
      this.add(where, `expected ${length} numbers, got ${v.length}`);
      return null;
    }
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const p = this.numberProblem(v[i]);
      if (p) {
        this.add(`${where}[${i}]`, p); // first bad element only: the rest of the field is usually alike
        return null;
      }
      out[i] = v[i] as number;
    }
    return out;
  }

  matrix(v: unknown, where: string, rows: number | null, cols: number | null): Float64Array[] | null {
    const what = `${rows ?? 'some'} rows of ${cols ?? 'some'} numbers`;
    if (!Array.isArray(v)) {
      this.add(where, `expected ${what}, got ${show(v)}`);
      return null;
    }
    if (rows !== null && v.length !== rows) {
      this.add(where, `expected ${what}, got ${v.length} rows`);
      return null;
    }
    if (cols === null) return null; // dimensions already reported
    const out: Float64Array[] = [];
    for (let r = 0; r < v.length; r++) {
      const row = v[r];
      if (!Array.isArray(row)) {
        this.add(where, `expected ${what}, row ${r} is ${show(row)}`);
        return null;
      }
      if (row.length !== cols) {
        this.add(where, `expected ${what}, row ${r} has ${row.length}`);
        return null;
      }
      const f = new Float64Array(cols);
      for (let c = 0; c < cols; c++) {
        const p = this.numberProblem(row[c]);
        if (p) {
          this.add(`${where}[${r}][${c}]`, p);
          return null;
        }
        f[c] = row[c] as number;
      }
      out.push(f);
    }
    return out;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export interface LoadWeightsExpect {
  /** Feature count the front end produces (the network's inputSize must match). */
  inputSize?: number;
  /** Band count (each head's outputSize must match). */
  bandCount?: number;
}

/**
 * Validates a parsed weights file and returns its float weights. `fileLabel` names the file in
 * messages. Throws NsWeightsError listing every problem found (at most 20).
 */
export function loadWeights(json: unknown, fileLabel: string, expect: LoadWeightsExpect = {}): NsFloatWeights {
  const ck = new Checker();
  const fail = (): never => {
    throw new NsWeightsError(fileLabel, ck.issues);
  };
  if (!isRecord(json)) {
    ck.add('', `expected a JSON object with "format": "${NS_WEIGHTS_FORMAT}", got ${show(json)}`);
    return fail();
  }
  if (json.format !== NS_WEIGHTS_FORMAT) ck.add('format', `expected "${NS_WEIGHTS_FORMAT}", got ${show(json.format)}`);
  if (json.version !== NS_WEIGHTS_VERSION) ck.add('version', `expected ${NS_WEIGHTS_VERSION}, got ${show(json.version)}`);
  for (const k of Object.keys(json)) if (!TOP_FIELDS.includes(k)) ck.add('', `unknown field "${k}" (expected ${TOP_FIELDS.join(', ')})`);
  if (json.description !== undefined && typeof json.description !== 'string') ck.add('description', `expected a string, got ${show(json.description)}`);
  const inputSize = ck.size(json, 'inputSize', '', NS_MAX_LAYER_SIZE);
  if (inputSize !== null && expect.inputSize !== undefined && inputSize !== expect.inputSize) {
    ck.add('inputSize', `expected ${expect.inputSize} (the features the front end computes), got ${inputSize}`);
  }
  if (!Array.isArray(json.layers)) {
    ck.add('layers', `expected an array of layers (conv1d, gru..., dense "gains", dense "strengths"), got ${show(json.layers)}`);
    return fail();
  }

  let conv: NsConvLayer | null = null;
  const grus: NsGruLayer[] = [];
  const heads: Record<string, NsDenseLayer | null> = {};
  const names = new Map<string, number>();
  const seen = { conv: false, gru: false, dense: false };
  /** Size the next layer must read: the previous layer's output. */
  let chainSize: number | null = inputSize;
  let chainFrom = 'the network inputSize';

  json.layers.forEach((layer, li) => {
    if (!isRecord(layer)) {
      ck.add(`layers[${li}]`, `expected a layer object, got ${show(layer)}`);
      chainSize = null;
      return;
    }
    const name = typeof layer.name === 'string' && layer.name.length > 0 ? layer.name : null;
    const where = `layers[${li}]${name ? ` (${name})` : ''}`;
    if (!name) ck.add(`${where}.name`, `expected a non-empty string, got ${show(layer.name)}`);
    else if (names.has(name)) ck.add(`${where}.name`, `"${name}" is already the name of layers[${names.get(name)}]`);
    else names.set(name, li);
    const type = layer.type;
    if (typeof type !== 'string' || !(type in LAYER_FIELDS)) {
      ck.add(`${where}.type`, `expected "conv1d", "gru" or "dense", got ${show(type)}`);
      chainSize = null;
      return;
    }
    for (const k of Object.keys(layer)) {
      if (!LAYER_FIELDS[type].includes(k)) ck.add(where, `unknown field "${k}" for a ${type} layer (expected ${LAYER_FIELDS[type].join(', ')})`);
    }
    const layerInput = ck.size(layer, 'inputSize', where, NS_MAX_LAYER_SIZE);
    if (layerInput !== null && chainSize !== null && layerInput !== chainSize) {
      ck.add(`${where}.inputSize`, `expected ${chainSize} (${chainFrom}), got ${layerInput}`);
    }

    if (type === 'conv1d') {
      if (li !== 0) ck.add(`${where}.type`, 'the conv1d layer must be the first layer');
      if (seen.conv) ck.add(`${where}.type`, 'only one conv1d layer is supported');
      seen.conv = true;
      const k = ck.size(layer, 'kernelFrames', where, NS_MAX_KERNEL_FRAMES);
      const out = ck.size(layer, 'outputSize', where, NS_MAX_LAYER_SIZE);
      const act = layer.activation;
      if (act !== 'tanh' && act !== 'sigmoid') ck.add(`${where}.activation`, `expected "tanh" or "sigmoid", got ${show(act)}`);
      const cols = k !== null && layerInput !== null ? k * layerInput : null;
      const weight = ck.matrix(layer.weight, `${where}.weight`, out, cols);
      const bias = ck.vector(layer.bias, `${where}.bias`, out);
      if (weight && bias && k !== null && out !== null && layerInput !== null && (act === 'tanh' || act === 'sigmoid') && name) {
        conv = { name, kernelFrames: k, inputSize: layerInput, outputSize: out, activation: act, weight, bias };
      }
      chainSize = out;
      chainFrom = `the outputSize of ${where}`;
    } else if (type === 'gru') {
      if (!seen.conv) ck.add(`${where}.type`, 'a gru layer must follow the conv1d layer');
      if (seen.dense) ck.add(`${where}.type`, 'gru layers must come before the dense heads');
      seen.gru = true;
      const h = ck.size(layer, 'hiddenSize', where, NS_MAX_LAYER_SIZE);
      const rows = h !== null ? 3 * h : null;
      const weightIh = ck.matrix(layer.weightIh, `${where}.weightIh`, rows, layerInput);
      const weightHh = ck.matrix(layer.weightHh, `${where}.weightHh`, rows, h);
      const biasIh = ck.vector(layer.biasIh, `${where}.biasIh`, rows);
      const biasHh = ck.vector(layer.biasHh, `${where}.biasHh`, rows);
      if (weightIh && weightHh && biasIh && biasHh && h !== null && layerInput !== null && name) {
        grus.push({ name, inputSize: layerInput, hiddenSize: h, weightIh, weightHh, biasIh, biasHh });
      }
      chainSize = h;
      chainFrom = `the hiddenSize of ${where}`;
    } else {
      if (!seen.gru) ck.add(`${where}.type`, 'the dense heads must follow the gru layers');
      const out = ck.size(layer, 'outputSize', where, NS_MAX_LAYER_SIZE);
      if (out !== null && expect.bandCount !== undefined && out !== expect.bandCount) {
        ck.add(`${where}.outputSize`, `expected ${expect.bandCount} (one per band), got ${out}`);
      }
      if (layer.activation !== 'sigmoid') ck.add(`${where}.activation`, `expected "sigmoid" (the heads output gains and strengths in [0, 1]), got ${show(layer.activation)}`);
      const weight = ck.matrix(layer.weight, `${where}.weight`, out, layerInput);
      const bias = ck.vector(layer.bias, `${where}.bias`, out);
      if (name !== 'gains' && name !== 'strengths') {
        if (name) ck.add(`${where}.name`, `unexpected dense layer "${name}": the heads are "gains" and "strengths"`);
      } else if (name in heads) {
        // duplicate name already reported
      } else {
        heads[name] = weight && bias && out !== null && layerInput !== null ? { name, inputSize: layerInput, outputSize: out, activation: 'sigmoid', weight, bias } : null;
      }
      seen.dense = true; // chainSize unchanged: both heads read the last GRU's hidden state
    }
  });

  if (!seen.conv) ck.add('layers', 'missing the conv1d layer (the first layer)');
  if (!seen.gru) ck.add('layers', 'missing a gru layer (at least one, after the conv1d layer)');
  for (const head of ['gains', 'strengths']) if (!(head in heads)) ck.add('layers', `missing the dense layer '${head}'`);
  const g = heads.gains;
  const s = heads.strengths;
  if (g && s && g.outputSize !== s.outputSize) {
    ck.add(`layers[${names.get('strengths')}] (strengths).outputSize`, `expected ${g.outputSize} (the outputSize of "gains": one gain and one strength per band), got ${s.outputSize}`);
  }
  if (!ck.ok || !conv || !g || !s || inputSize === null) return fail();
  return { inputSize, conv, grus, gains: g, strengths: s, ...(typeof json.description === 'string' ? { description: json.description } : {}) };
}
