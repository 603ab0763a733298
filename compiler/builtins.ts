// The built-in plugins, in registration order: constants, control and map macros, the
// protocol library, and the optimisation passes.

import type { Plugin } from "./registry.ts";
import { constantsPlugin } from "./surface/constants.ts";
import { controlPlugin } from "./surface/control.ts";
import { mapsPlugin } from "./surface/maps.ts";
import { protocolsPlugin } from "./surface/protocols.ts";
import { passesPlugin } from "../passes/mod.ts";
import { sizeofPlugin } from "./surface/structs.ts";

export const BUILTIN_PLUGINS: Plugin[] = [constantsPlugin, controlPlugin, mapsPlugin, sizeofPlugin, protocolsPlugin, passesPlugin];
