// Booting Pyodide with NumPy and dense-parity, for every host of it (the pages' worker and the
// Node runtime): the same stages, the same progress names, the same versions record.
import { pythonFunctions } from "./python-calls.mjs";

/** loadPyodide: the runtime's own loader; options: passed to it (indexURL, stdout, …);
 *  packages: loadPackage names or wheel URLs. → {pyodide, resolve(target) → fn, versions}. */
export async function bootPyodide({ loadPyodide, options, packages = ["dense-parity"], progress }) {
  const pyodide = await loadPyodide(options);
  progress("loading NumPy and dense-parity");
  await pyodide.loadPackage(packages, { messageCallback: () => {}, errorCallback: (m) => progress(m) });
  progress("importing python_core");
  const resolve = pythonFunctions(pyodide);
  const versions = JSON.parse(resolve("python_core.wire:versions_json")(""));
  return { pyodide, resolve, versions: { ...versions, pyodide: pyodide.version } };
}
