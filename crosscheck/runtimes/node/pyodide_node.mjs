// python_core inside Pyodide under Node, loaded from the same offline runtime folder the pages use.
// Usage: node pyodide_node.mjs <runtime dir>     (then line-delimited JSON, see protocol.mjs)
// Only python_core functions can be called ("python_core.module:function", str → str).
import { pathToFileURL } from "node:url";
import { join, resolve } from "node:path";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { serve, progress } from "./protocol.mjs";
import { errorRecord, pythonFunctions } from "../../../web_demo/lib/python-calls.mjs";

const runtimeDir = resolve(process.argv[2] || join(import.meta.dirname, "..", "..", "..", "web_demo", "pyodide"));
let resolveTarget = null;

// Pyodide's Node loader reads wheels from disk without the integrity check a browser applies, so a
// changed wheel would load. Check each wheel that loadPackage(name) will read, with its
// dependencies, against the sha256 in the folder's pyodide-lock.json first.
function verifyWheels(name) {
  const lock = JSON.parse(readFileSync(join(runtimeDir, "pyodide-lock.json"), "utf8"));
  const seen = new Set();
  const pending = [name];
  while (pending.length) {
    const pkg = pending.pop();
    if (seen.has(pkg)) continue;
    seen.add(pkg);
    const entry = lock.packages[pkg];
    if (!entry) throw new Error(`pyodide-lock.json lists no package ${pkg}`);
    const file = join(runtimeDir, entry.file_name);
    const got = createHash("sha256").update(readFileSync(file)).digest("hex");
    if (got !== entry.sha256) {
      throw new Error(`${file}: sha256 ${got} differs from pyodide-lock.json's ${entry.sha256}; refusing to ` +
        "load it (rebuild the runtime with `python -m crosscheck assemble`)");
    }
    pending.push(...(entry.depends || []));
  }
}

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
    progress("checking the wheels against pyodide-lock.json");
    verifyWheels("dense-parity");
    progress("loading NumPy and dense-parity");
    const loadErrors = [];
    await pyodide.loadPackage("dense-parity", {
      messageCallback: () => {},
      errorCallback: (m) => { loadErrors.push(m); progress(m); },
    });
    if (loadErrors.length) throw new Error(`could not load dense-parity: ${loadErrors.join("; ")}`);
    progress("importing python_core");
    resolveTarget = pythonFunctions(pyodide);
    const versions = JSON.parse(resolveTarget("python_core.wire:versions_json")());
    return { ...versions, pyodide: pyodide.version, node: process.versions.node };
  },
  async call(target, argument) {
    return resolveTarget(target)(argument);
  },
});
