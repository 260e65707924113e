// The JavaScript reference DenseLayer (web_demo/lib/dense-layer.mjs) under Node, behind
// web_demo/lib/js-entries.mjs: the very module files a page loads, so js-node and js-chromium run the same code.
// Usage: node js_node.mjs <web_demo dir>     (then line-delimited JSON, see protocol.mjs)
import { pathToFileURL } from "node:url";
import { join, resolve } from "node:path";
import { serve, progress } from "./protocol.mjs";

const webDemo = resolve(process.argv[2] || join(import.meta.dirname, "..", "..", "..", "web_demo"));
let entries = null;

await serve({
  async boot() {
    progress("importing web_demo/lib/js-entries.mjs");
    entries = await import(pathToFileURL(join(webDemo, "lib", "js-entries.mjs")).href);
    return entries.runtimeVersions();
  },
  call: (target, argument) => entries.callEntry(target, argument),
});
