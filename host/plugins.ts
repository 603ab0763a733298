// Loading plugins for the command line: TypeScript modules by path (--plugin, in order) and the
// ones a project lists in its config file (whistler.json, or the "whistler" key of deno.json),
// with their --plugin-opt options. Works under Deno, Bun and the single binary (dynamic import).

import * as path from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import process from "node:process";
import type { Plugin } from "../compiler/registry.ts";
import { pluginShapeError } from "../compiler/plugin_api.ts";

/** A plugin that could not be loaded (or a config file that could not be read); exit status 1. */
export class PluginLoadError extends Error {}

/** A --plugin-opt for no loaded plugin: a usage error (exit status 2). */
export class PluginOptionError extends Error {}

/** A loaded plugin with its options, as `compile()` takes them. */
export interface LoadedPlugin {
  plugin: Plugin;
  options: Record<string, string>;
  /** Where it came from (absolute path). */
  file: string;
}

/** A project's plugin settings: `{ "plugins": [paths…], "pluginOptions": { name: { key: value } } }`. */
export interface PluginConfig {
  /** The config file. */
  file: string;
  /** Absolute paths, in the order listed. */
  plugins: string[];
  options: Record<string, Record<string, string>>;
}

/** Import a plugin module and check its shape. `file` is resolved against `cwd`. */
export async function loadPlugin(file: string, cwd = process.cwd()): Promise<Plugin> {
  const abs = path.resolve(cwd, file);
  if (!existsSync(abs)) throw new PluginLoadError(`Cannot load plugin "${file}": no such file (${abs})`);
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(abs).href);
  } catch (e) {
    throw new PluginLoadError(`Cannot load plugin "${file}": ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  const p = mod.default ?? mod.plugin;
  const bad = pluginShapeError(p);
  if (bad) throw new PluginLoadError(`Plugin "${file}" ${bad}`);
  return p as Plugin;
}

/** Parse a config object (the whole whistler.json, or deno.json's "whistler" value). */
function parseConfig(value: unknown, file: string): PluginConfig {
  const fail = (m: string): never => {
    throw new PluginLoadError(`${file}: ${m}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(`whistler settings must be an object`);
  const v = value as Record<string, unknown>;
  const dir = path.dirname(file);
  const plugins = v.plugins ?? [];
  if (!Array.isArray(plugins) || !plugins.every((p) => typeof p === "string")) fail(`"plugins" must be a list of file paths`);
  const options: Record<string, Record<string, string>> = {};
  const po = v.pluginOptions ?? {};
  if (typeof po !== "object" || po === null || Array.isArray(po)) fail(`"pluginOptions" must map plugin names to { key: value }`);
  for (const [name, kv] of Object.entries(po as Record<string, unknown>)) {
    if (typeof kv !== "object" || kv === null || Array.isArray(kv)) fail(`"pluginOptions"."${name}" must be an object of options`);
    options[name] = Object.fromEntries(Object.entries(kv as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
  }
  return { file, plugins: (plugins as string[]).map((p) => path.resolve(dir, p)), options };
}

/**
 * The nearest config, searching `start` and its parents: `whistler.json`, else a `deno.json`
 * (or `deno.jsonc` without comments) that has a "whistler" key. Undefined when there is none.
 */
export function findConfig(start = process.cwd()): PluginConfig | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const wj = path.join(dir, "whistler.json");
    if (existsSync(wj)) return parseConfig(readJson(wj), wj);
    for (const name of ["deno.json", "deno.jsonc"]) {
      const dj = path.join(dir, name);
      if (!existsSync(dj)) continue;
      let json: unknown;
      try {
        json = readJson(dj);
      } catch {
        continue; // a deno.json we cannot read as JSON is not ours to complain about
      }
      const w = (json as Record<string, unknown> | null)?.whistler;
      if (w !== undefined) return parseConfig(w, dj);
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new PluginLoadError(`Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PluginLoadError(`${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * The plugins of one compile: the config file's first (unless `useConfig` is false), then
 * `--plugin` files in order (a file listed twice loads once). Options: the config's
 * pluginOptions, overridden by `--plugin-opt`. Throws PluginLoadError or PluginOptionError.
 */
export async function loadPlugins(
  files: string[],
  pluginOpts: Record<string, Record<string, string>>,
  opts: { cwd?: string; useConfig?: boolean } = {},
): Promise<LoadedPlugin[]> {
  const cwd = opts.cwd ?? process.cwd();
  const config = opts.useConfig === false ? undefined : findConfig(cwd);
  const wanted: { file: string; shown: string }[] = [];
  const seen = new Set<string>();
  for (const f of config?.plugins ?? []) wanted.push({ file: f, shown: path.relative(cwd, f) || f });
  for (const f of files) wanted.push({ file: path.resolve(cwd, f), shown: f });
  const out: LoadedPlugin[] = [];
  for (const w of wanted) {
    if (seen.has(w.file)) continue;
    seen.add(w.file);
    const plugin = await loadPlugin(w.shown, cwd).catch((e) => {
      if (e instanceof PluginLoadError && config?.plugins.includes(w.file)) throw new PluginLoadError(`${e.message} (listed in ${config.file})`);
      throw e;
    });
    const dup = out.find((o) => o.plugin.name.toLowerCase() === plugin.name.toLowerCase());
    if (dup) throw new PluginLoadError(`Plugin "${plugin.name}" (${w.shown}) has the same name as the plugin loaded from ${path.relative(cwd, dup.file) || dup.file}`);
    out.push({ plugin, file: w.file, options: { ...config?.options[plugin.name], ...pluginOpts[plugin.name] } });
  }
  for (const name of Object.keys(pluginOpts)) {
    if (!out.some((o) => o.plugin.name === name)) {
      const loaded = out.map((o) => o.plugin.name);
      throw new PluginOptionError(`--plugin-opt ${name}.…: no plugin named "${name}" is loaded${loaded.length ? ` (loaded: ${loaded.join(", ")})` : ""}`);
    }
  }
  return out;
}
