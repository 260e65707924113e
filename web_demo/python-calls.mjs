// Calling python_core from JavaScript, shared by every host of Pyodide (the pages' worker and the
// Node runtime): only "python_core.module:function" targets (str → str) can be called, and a
// Python exception comes back as {type, message, traceback} (error-record.mjs).

export { errorRecord } from "./error-record.mjs";

// The worker and the Node runtime run the project's code, never a page's: learner code goes
// through python_core.exercise, which runs it in a namespace of its own.
export function pythonFunctions(pyodide) {
  const cache = new Map();
  return function resolve(target) {
    const match = /^(python_core(?:\.\w+)*):(\w+)$/.exec(target || "");
    if (!match) throw new Error(`call target must look like "python_core.module:function", got ${JSON.stringify(target)}`);
    if (!cache.has(target)) {
      const fn = pyodide.pyimport(match[1])[match[2]];
      if (typeof fn !== "function") throw new Error(`${match[1]} has no function ${match[2]}`);
      cache.set(target, fn);
    }
    return cache.get(target);
  };
}
