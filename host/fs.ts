// Host file access for the command line (Deno, Bun and the single binary all provide node:fs):
// the read-only provider handed to the compiler, and atomic output writes.

import * as fs from "node:fs";
import * as path from "node:path";
import type { FileProvider } from "../compiler/files.ts";

/** A read-only provider over the real file system. */
export const hostFiles: FileProvider = {
  readText(p: string): string | undefined {
    try {
      return fs.readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  },
  exists(p: string): boolean {
    try {
      fs.statSync(p);
      return true;
    } catch {
      return false;
    }
  },
};

/** Write `data` to `file` through a temporary file and a rename, so a failure leaves nothing. */
export function writeAtomic(file: string, data: Uint8Array | string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch { /* nothing to clean */ }
    throw e;
  }
}

export function readBytes(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(file));
}
