// python_core inside Pyodide under Node, loaded from the same offline runtime folder the pages use.
// Usage: node pyodide_node.mjs <runtime dir>     (then line-delimited JSON, see protocol.mjs)
// Only python_core entry points can be called (python_core/entries.py).
import { pathToFileURL } from "node:url";
import { join, resolve } from "node:path";
import { serve, progress } from "./protocol.mjs";
import { bootPyodide } from "../../../web_demo/lib/pyodide-boot.mjs";

const runtimeDir = resolve(process.argv[2] || join(import.meta.dirname, "..", "..", "..", "web_demo", "pyodide"));
let resolveTarget = null;

await serve({
  async boot() {
    progress("loading Pyodide");
    const { loadPyodide } = await import(pathToFileURL(join(runtimeDir, "pyodide.mjs")).href);
    // Python's prints must not mix with the protocol on stdout.
    const toStderr = (line) => process.stderr.write(line + "\n");
    const booted = await bootPyodide({
      loadPyodide, options: { indexURL: runtimeDir + "/", stdout: toStderr, stderr: toStderr }, progress,
    });
    resolveTarget = booted.resolve;
    return { ...booted.versions, node: process.versions.node };
  },
  call: (target, argument) => resolveTarget(target)(argument),
});
