// python_core inside Pyodide under Node, loaded from the same offline runtime folder the pages use.
// Usage: node pyodide_node.mjs <runtime dir>     (then line-delimited JSON, see protocol.mjs)
// Only python_core functions can be called ("python_core.module:function", str → str).
import { pathToFileURL } from "node:url";
import { join, resolve } from "node:path";
import { serve, progress } from "./protocol.mjs";
import { errorRecord, pythonFunctions } from "../../../web_demo/lib/python-calls.mjs";

const runtimeDir = resolve(process.argv[2] || join(import.meta.dirname, "..", "..", "..", "web_demo", "pyodide"));
let resolveTarget = null;

await serve({
  errorRecord,
  async boot() {
    progress("loading Pyodide");
    const { loadPyodide } = await import(pathToFileURL(join(runtimeDir, "pyodide.mjs")).href);
    // Python's prints must not mix with the protocol on stdout.
    const pyodide = await loadPyodide({
      indexURL: runtimeDir + "/",
      stdout: (line) => process.stderr.write(line + "\n"),
      stderr: (line) => process.stderr.write(line + "\n"),
    });
    progress("loading NumPy and dense-parity");
    await pyodide.loadPackage("dense-parity", { messageCallback: () => {}, errorCallback: (m) => progress(m) });
    progress("importing python_core");
    resolveTarget = pythonFunctions(pyodide);
    const versions = JSON.parse(resolveTarget("python_core.wire:versions_json")());
    return { ...versions, pyodide: pyodide.version, node: process.versions.node };
  },
  async call(target, argument) {
    return resolveTarget(target)(argument);
  },
});
