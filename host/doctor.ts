// `whistler doctor`: what this machine supports for loading BPF programs (kernel version, bpffs,
// CAP_BPF, bpftool, kernel BTF, tracefs), each with what to do when it is missing.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import process from "node:process";
import { versionText } from "./version.ts";

/** What the checks look at; the real machine by default, a fake one in tests. */
export interface DoctorEnv {
  platform: string;
  /** Kernel release, as os.release() / uname -r. */
  release: string;
  readText(path: string): string | undefined;
  exists(path: string): boolean;
  /** Start a program; undefined when it cannot be started. */
  run(cmd: string, args: string[]): { status: number | null; stdout: string } | undefined;
  /** The directories searched for bpftool ($PATH, then the sbin directories). */
  pathDirs: string[];
  /** The runtime running whistler, for the header. */
  runtime: string;
}

export type Status = "ok" | "missing" | "warn" | "info";

export interface Check {
  name: string;
  status: Status;
  detail: string;
  /** What to do about it (missing or warn). */
  fix?: string;
}

export function hostEnv(): DoctorEnv {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  const runtime = g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : `Node ${process.version}`;
  const pathDirs = [...(process.env.PATH ?? "").split(":").filter(Boolean), "/usr/sbin", "/sbin", "/usr/local/sbin"];
  return {
    platform: process.platform,
    release: os.release(),
    readText: (p) => {
      try {
        return fs.readFileSync(p, "utf8");
      } catch {
        return undefined;
      }
    },
    exists: (p) => fs.existsSync(p),
    run: (cmd, args) => {
      const r = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
      return r.error ? undefined : { status: r.status, stdout: (r.stdout ?? "") + (r.stderr ?? "") };
    },
    pathDirs: [...new Set(pathDirs)],
    runtime: `${runtime} on ${process.platform} ${process.arch}`,
  };
}

/** "6.1.0-18-amd64" → [6, 1]; undefined when unparseable. */
export function kernelVersion(release: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const atLeast = (v: [number, number], major: number, minor: number) => v[0] > major || (v[0] === major && v[1] >= minor);

function kernelCheck(env: DoctorEnv): Check {
  if (env.platform !== "linux") {
    return {
      name: "kernel", status: "missing", detail: `${env.platform}: BPF programs load only on Linux`,
      fix: "compile here and load the objects on a Linux machine (kernel 5.8 or newer recommended)",
    };
  }
  const v = kernelVersion(env.release);
  if (!v) return { name: "kernel", status: "warn", detail: `Linux ${env.release}: cannot parse the version` };
  const cpu = atLeast(v, 6, 6) ? "v4" : atLeast(v, 5, 1) ? "v3" : "v2";
  const has: string[] = [`-mcpu up to ${cpu}`];
  if (atLeast(v, 5, 8)) has.push("ring buffers", "CAP_BPF");
  const d = `Linux ${env.release}: ${has.join(", ")}`;
  if (!atLeast(v, 5, 8)) {
    return {
      name: "kernel", status: "warn", detail: d,
      fix: `kernel ${v[0]}.${v[1]} lacks ring buffers and CAP_BPF (5.8)${cpu === "v2" ? " and JMP32 (5.1): compile with -mcpu=v2" : ""}; ` +
        "upgrade the kernel for them",
    };
  }
  if (cpu !== "v4") return { name: "kernel", status: "ok", detail: d + " (-mcpu=v4 needs 6.6: compile with -mcpu=v3, the default)" };
  return { name: "kernel", status: "ok", detail: d };
}

function mountsOf(env: DoctorEnv, type: string): string[] {
  const text = env.readText("/proc/mounts") ?? "";
  return [...new Set(text.split("\n").map((l) => l.split(" ")).filter((f) => f[2] === type).map((f) => f[1]))];
}

function bpffsCheck(env: DoctorEnv): Check {
  const at = mountsOf(env, "bpf");
  if (at.length) return { name: "bpffs", status: "ok", detail: `mounted at ${at.join(", ")}` };
  return {
    name: "bpffs", status: "missing", detail: "no bpf file system mounted (pinning programs and maps needs one)",
    fix: "mount -t bpf bpf /sys/fs/bpf   (as root; or add it to /etc/fstab)",
  };
}

/** Capability bits of CapEff in /proc/self/status. */
export function effectiveCaps(status: string | undefined): bigint | undefined {
  const m = /^CapEff:\s*([0-9a-f]+)$/mi.exec(status ?? "");
  return m ? BigInt(`0x${m[1]}`) : undefined;
}

const CAP_NET_ADMIN = 12n, CAP_SYS_ADMIN = 21n, CAP_PERFMON = 38n, CAP_BPF = 39n;

function capCheck(env: DoctorEnv): Check {
  const caps = effectiveCaps(env.readText("/proc/self/status"));
  if (caps === undefined) return { name: "CAP_BPF", status: "warn", detail: "cannot read CapEff from /proc/self/status" };
  const has = (bit: bigint) => ((caps >> bit) & 1n) === 1n;
  const names = ([["CAP_BPF", CAP_BPF], ["CAP_SYS_ADMIN", CAP_SYS_ADMIN], ["CAP_NET_ADMIN", CAP_NET_ADMIN], ["CAP_PERFMON", CAP_PERFMON]] as const)
    .filter(([, b]) => has(b)).map(([n]) => n);
  const detail = `effective: ${names.length ? names.join(", ") : "none of CAP_BPF, CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_PERFMON"}`;
  const grant = "run the loader (bpftool, ip, tc, the tests) as root, or grant it the capabilities: " +
    "setcap cap_bpf,cap_net_admin,cap_perfmon+ep /usr/sbin/bpftool";
  if (!has(CAP_BPF) && !has(CAP_SYS_ADMIN)) {
    const unpriv = env.readText("/proc/sys/kernel/unprivileged_bpf_disabled")?.trim();
    return {
      name: "CAP_BPF", status: "missing",
      detail: `${detail}${unpriv ? ` (kernel.unprivileged_bpf_disabled = ${unpriv})` : ""}; loading programs will fail with EPERM`,
      fix: grant,
    };
  }
  const missing = [has(CAP_NET_ADMIN) || has(CAP_SYS_ADMIN) ? "" : "CAP_NET_ADMIN (attaching XDP and tc programs)",
    has(CAP_PERFMON) || has(CAP_SYS_ADMIN) ? "" : "CAP_PERFMON (tracing programs, pointer reads)"].filter(Boolean);
  if (missing.length) return { name: "CAP_BPF", status: "warn", detail: `${detail}; lacking ${missing.join(" and ")}`, fix: grant };
  return { name: "CAP_BPF", status: "ok", detail };
}

/** bpftool on $PATH or in an sbin directory (Debian installs it in /usr/sbin, outside users' PATH). */
export function findBpftool(env: DoctorEnv): string | undefined {
  for (const d of env.pathDirs) {
    const p = `${d.replace(/\/$/, "")}/bpftool`;
    if (env.exists(p)) return p;
  }
  return undefined;
}

function bpftoolCheck(env: DoctorEnv): Check {
  const fix = "apt-get install bpftool   (Debian 12+; Ubuntu: linux-tools-$(uname -r); Fedora: dnf install bpftool)";
  const p = findBpftool(env);
  if (!p) return { name: "bpftool", status: "missing", detail: "not on $PATH nor in /usr/sbin, /sbin, /usr/local/sbin", fix };
  const r = env.run(p, ["version"]);
  if (!r || r.status !== 0) return { name: "bpftool", status: "warn", detail: `${p} does not run ("${p} version" failed)`, fix };
  const ver = r.stdout.split("\n").filter((l) => /bpftool|libbpf/.test(l)).map((l) => l.trim().replace(/^\S*\/bpftool\b/, "bpftool")).slice(0, 2).join(", ");
  return { name: "bpftool", status: "ok", detail: `${p}${ver ? ` (${ver})` : ""}` };
}

function btfCheck(env: DoctorEnv): Check {
  const p = "/sys/kernel/btf/vmlinux";
  if (env.exists(p)) {
    let size = "";
    try {
      size = ` (${(fs.statSync(p).size / 1048576).toFixed(1)} MB)`;
    } catch { /* a fake environment in tests */ }
    return { name: "kernel BTF", status: "ok", detail: `${p}${size}: CO-RE relocations and probe-file work` };
  }
  return {
    name: "kernel BTF", status: "missing", detail: `no ${p}: CO-RE relocations cannot be resolved on this kernel and probe-file answers nil`,
    fix: "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 5.4 are)",
  };
}

function tracefsCheck(env: DoctorEnv): Check {
  const at = mountsOf(env, "tracefs");
  if (at.length) return { name: "tracefs", status: "ok", detail: `mounted at ${at.join(", ")} (tracepoint formats, bpf_printk output)` };
  if (env.exists("/sys/kernel/tracing/events") || env.exists("/sys/kernel/debug/tracing/events")) {
    return { name: "tracefs", status: "ok", detail: "available under /sys/kernel/(debug/)tracing" };
  }
  return {
    name: "tracefs", status: "missing", detail: "not mounted: tracepoint formats and bpf_printk output (trace_pipe) are unavailable",
    fix: "mount -t tracefs tracefs /sys/kernel/tracing   (as root)",
  };
}

function jitCheck(env: DoctorEnv): Check | undefined {
  const v = env.readText("/proc/sys/net/core/bpf_jit_enable")?.trim();
  if (v === undefined) return undefined;
  if (v === "0") {
    return {
      name: "JIT", status: "warn", detail: "bpf_jit_enable = 0: programs run in the interpreter (slower)",
      fix: "sysctl -w net.core.bpf_jit_enable=1",
    };
  }
  return { name: "JIT", status: "info", detail: `bpf_jit_enable = ${v}` };
}

export function doctorChecks(env: DoctorEnv = hostEnv()): Check[] {
  const checks = [kernelCheck(env), bpffsCheck(env), capCheck(env), bpftoolCheck(env), btfCheck(env), tracefsCheck(env)];
  const jit = jitCheck(env);
  if (jit) checks.push(jit);
  return checks;
}

export function doctorText(checks: Check[], env: Pick<DoctorEnv, "runtime">): string {
  const w = Math.max(...checks.map((c) => c.name.length));
  const out = [`${versionText()}, ${env.runtime}`, ""];
  for (const c of checks) {
    out.push(`  ${c.status.padEnd(8)} ${c.name.padEnd(w)}  ${c.detail}`);
    if (c.fix) out.push(`  ${"".padEnd(8)} ${"".padEnd(w)}  fix: ${c.fix}`);
  }
  const missing = checks.filter((c) => c.status === "missing").map((c) => c.name);
  out.push("", missing.length
    ? `Missing: ${missing.join(", ")}. Compiling works without them; loading programs, whistler bench's verifier column and the kernel tests need them.`
    : "Everything whistler's loaders and kernel tests use is here. (Compiling needs none of it.)");
  return out.join("\n") + "\n";
}

/** The command: prints the report and returns 0 (a missing piece is information, not failure). */
export function cmdDoctor(args: string[], io: { out?: (s: string) => void; env?: DoctorEnv } = {}): number {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const env = io.env ?? hostEnv();
  const checks = doctorChecks(env);
  if (args.includes("--json")) out(JSON.stringify({ version: versionText(), runtime: env.runtime, checks }, null, 2) + "\n");
  else out(doctorText(checks, env));
  return 0;
}
