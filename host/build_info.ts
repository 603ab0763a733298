// Build stamp, rewritten by `deno task build` (tools/build.ts); empty in a source checkout.
export const BUILD: { commit: string; date: string } = { commit: "", date: "" };
