// Write a folder all at once: fill a temporary sibling, then rename it into place, so a failure
// never leaves a half-written folder (and a previous folder survives a failed write).
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Fills a temporary folder beside `folder` with `fill`, then renames it into place. */
export async function replaceFolderAtomically(folder: string, fill: (tmp: string) => Promise<void> | void): Promise<void> {
  const { tmp, commit, abandon } = prepare(folder);
  try {
    await fill(tmp);
    commit();
  } catch (e) {
    abandon();
    throw e;
  }
}

/** The same for a map of relative path -> content, synchronously. */
export function writeFolderAtomic(folder: string, files: Map<string, string>): void {
  const { tmp, commit, abandon } = prepare(folder);
  try {
    for (const [rel, content] of files) {
      const path = join(tmp, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
    commit();
  } catch (e) {
    abandon();
    throw e;
  }
}

function prepare(folder: string) {
  const dir = resolve(folder); // no trailing slash: "out/" must not put the temporary folder inside out/
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  return {
    tmp,
    commit() {
      if (existsSync(dir)) renameSync(dir, old);
      renameSync(tmp, dir);
      rmSync(old, { recursive: true, force: true });
    },
    abandon() {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(dir) && existsSync(old)) renameSync(old, dir);
    },
  };
}
