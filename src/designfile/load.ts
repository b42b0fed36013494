// Read and validate a design file. Every problem names the file, the field path, the value found
// and what was expected.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FloatGraph } from '../design/graph.ts';
import type { Target } from '../toolchain/targets.ts';
import { DesignFileError, formatPath, showValue } from './errors.ts';
import { manualDesignSchema, manualDesignToGraph } from './manual.ts';

export interface LoadedDesign {
  file: string;
  name: string;
  kind: 'manual';
  target: Target;
  graph: FloatGraph;
}

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
  if (kind !== 'manual') {
    throw new DesignFileError(file, [{ path: 'kind', message: `unknown design kind ${showValue(kind)}; expected 'manual'` }]);
  }
  const parsed = manualDesignSchema.safeParse(json);
  if (!parsed.success) {
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
  const { graph, issues } = manualDesignToGraph(parsed.data);
  if (!graph) throw new DesignFileError(file, issues.map(([path, message]) => ({ path, message })));
  return { file, name: parsed.data.name, kind: 'manual', target: parsed.data.target, graph };
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
