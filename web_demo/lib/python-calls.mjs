// Calling python_core from JavaScript, shared by every host of Pyodide (the pages' worker and the
// Node runtime): a call goes through python_core.entries, the one registry of what may be called
// ("python_core.module:function", str → str); anything else is refused there, with the names that
// exist. A Python exception comes back as {type, message, traceback} (error-record.mjs).

export { errorRecord } from "./error-record.mjs";

export function pythonFunctions(pyodide) {
  const entries = pyodide.pyimport("python_core.entries");
  return (target) => {
    const fn = entries.resolve(target);
    return (argument) => fn(argument);
  };
}
