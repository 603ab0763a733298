// The version shown by `whistler --version`; the build step stamps the commit into build_info.ts.

import { BUILD } from "./build_info.ts";

export const VERSION = "0.1.0";

export function versionText(): string {
  return `whistler ${VERSION}${BUILD.commit ? ` (${BUILD.commit}${BUILD.date ? `, ${BUILD.date}` : ""})` : ""}`;
}
