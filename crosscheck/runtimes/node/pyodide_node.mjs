// python_core inside Pyodide under Node, loaded from the same offline runtime folder the pages use.
// Usage: node pyodide_node.mjs <runtime dir>     (then line-delimited JSON, see protocol.mjs)
// Only python_core entry points can be called (python_core/entries.py).
import { pathToFileURL } from "node:url";
import { join, resolve } from "node:path";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { serve, progress } from "./protocol.mjs";
import { bootPyodide } from "../../../web_demo/lib/pyodide-boot.mjs";

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
  async boot() {
    progress("loading Pyodide");
    const { loadPyodide } = await import(pathToFileURL(join(runtimeDir, "pyodide.mjs")).href);
    // Python's prints must not mix with the protocol on stdout.
    const toStderr = (line) => process.stderr.write(line + "\n");
    const booted = await bootPyodide({
      loadPyodide, options: { indexURL: runtimeDir + "/", stdout: toStderr, stderr: toStderr }, progress,
      beforeLoad() {
        progress("checking the wheels against pyodide-lock.json");
        verifyWheels("dense-parity");
      },
    });
    resolveTarget = booted.resolve;
    return { ...booted.versions, node: process.versions.node };
  },
  call: (target, argument) => resolveTarget(target)(argument),
});
