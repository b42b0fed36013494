import { execa } from 'execa';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/pipeline.ts';

export const CLI = join(PROJECT_ROOT, 'bin', 'arrayc.mjs');

/** Runs the CLI as a user would; never throws on a non-zero exit. */
export async function runCli(args: string[], cwd = PROJECT_ROOT) {
  const r = await execa('node', [CLI, ...args], { cwd, reject: false, env: { NO_COLOR: '1' } });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
