// The read-only file provider the host passes to the compiler (SPEC §9): the only way the
// pure core sees files (includes, tracepoint formats, /sys/kernel/btf/vmlinux).

/** Read-only access to files, given by the host. Paths are host paths. */
export interface FileProvider {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readText(path: string): string | undefined;
  /** Whether the file exists. */
  exists(path: string): boolean;
}

/** Paths compile-time `probe-file` may ask about: kernel interface files only. */
export function probeAllowed(path: string): boolean {
  return /^\/sys\/kernel\/(debug\/)?tracing\/events\/[\w.-]+\/[\w.-]+\/format$/.test(path) ||
    /^\/sys\/kernel\/(debug\/)?tracing\/?$/.test(path) ||
    path === "/sys/kernel/btf/vmlinux";
}

/** A provider over an in-memory map (tests, or hosts that pre-load files). */
export function memoryFiles(files: Record<string, string>): FileProvider {
  return {
    readText: (p) => files[p],
    exists: (p) => p in files,
  };
}
