// Booting Pyodide with NumPy and dense-parity, for every host of it (the pages' worker and the
// Node runtime): the same stages, the same progress names, the same versions record.
import { pythonFunctions } from "./python-calls.mjs";

/** loadPyodide: the runtime's own loader; options: passed to it (indexURL, stdout, …);
 *  packages: loadPackage names or wheel URLs; beforeLoad: a check to run before the packages load
 *  (Node verifies the wheels' hashes there). → {pyodide, resolve(target) → fn, versions}. */
export async function bootPyodide({ loadPyodide, options, packages = ["dense-parity"], progress, beforeLoad }) {
  const pyodide = await loadPyodide(options);
  if (beforeLoad) await beforeLoad();
  progress("loading NumPy and dense-parity");
  // Pyodide reports a package it could not load (a wheel whose sha256 differs from pyodide-lock.json
  // is refused by the browser's integrity check) only through errorCallback, and goes on; the import
  // would then fail with a bare ModuleNotFoundError. Say what happened instead.
  const loadErrors = [];
  await pyodide.loadPackage(packages, {
    messageCallback: () => {},
    errorCallback: (m) => { loadErrors.push(m); progress(m); },
  });
  if (loadErrors.length) {
    throw new Error(`could not load ${packages.join(", ")}: ${loadErrors.join("; ")}. A file of the Python ` +
      "runtime does not match the sha256 in pyodide-lock.json (changed or damaged after assembly), or is " +
      "missing; rebuild it with `python -m crosscheck assemble`");
  }
  progress("importing python_core");
  const resolve = pythonFunctions(pyodide);
  const versions = JSON.parse(resolve("python_core.wire:versions_json")(""));
  return { pyodide, resolve, versions: { ...versions, pyodide: pyodide.version } };
}
