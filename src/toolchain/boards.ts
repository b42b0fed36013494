// The QEMU boards, as described by firmware-template/boards/targets.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Target } from './targets.ts';

export const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'firmware-template');

export interface BoardTarget {
  name: Exclude<Target, 'host'>;
  machine: string;
  cpu: string;
  cflags: string[];
  ldflags: string[];
  startup: string[];
  ldscript: string;
  qemuArgs: string[];
}

let cached: BoardTarget[] | undefined;
export function boardTargets(): BoardTarget[] {
  if (!cached) {
    const raw = JSON.parse(readFileSync(join(TEMPLATE_DIR, 'boards', 'targets.json'), 'utf8')) as Record<string, Omit<BoardTarget, 'name'>>;
    cached = Object.entries(raw).map(([name, t]) => ({ name: name as BoardTarget['name'], ...t }));
  }
  return cached;
}
