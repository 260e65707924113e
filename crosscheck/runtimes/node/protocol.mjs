// Line-delimited JSON between the native driver (crosscheck/runtimes/node/process.py) and a Node
// process. One request per line in, one message per line out:
//   in   {"id": n, "op": "call", "target": "...", "argument": "<string>"}
//   out  {"id": n, "ok": true, "value": "<string>"} | {"id": n, "ok": false, "error": {type, message, traceback}}
//        {"type": "progress", "stage": "...", "ms": n}      while booting
//        {"type": "ready", "versions": {...}} | {"type": "failed", "error": {...}}   once, after boot
// stdout carries nothing else: whatever the code under test prints goes to stderr.
import { createInterface } from "node:readline";
import { errorRecord } from "../../../web_demo/lib/error-record.mjs";
import { answer } from "../../../web_demo/lib/worker-protocol.mjs";

const started = performance.now();
const out = process.stdout;

export function send(message) {
  out.write(JSON.stringify(message) + "\n");
}

export function progress(stage) {
  send({ type: "progress", stage, ms: Math.round(performance.now() - started) });
}

/** Boot with `boot()` (→ versions), then answer calls with `call(target, argument)` (→ string). */
export async function serve({ boot, call }) {
  try {
    send({ type: "ready", versions: await boot() });
  } catch (err) {
    send({ type: "failed", error: errorRecord(err) });
    process.exitCode = 1;
    return;
  }
  const ops = { call: ({ target, argument }) => call(target, argument) };
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let request;
    try {
      request = JSON.parse(line);
    } catch (err) {
      send({ id: null, ok: false, error: errorRecord(err) });
      continue;
    }
    send(await answer(ops, request));
  }
}
