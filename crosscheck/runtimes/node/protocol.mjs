// Line-delimited JSON between the native driver (crosscheck/runtimes/node/process.py) and a Node
// process. The first line in is a token; then one request per line in, one message per line out,
// each message carrying the token:
//   in   <token>     once, first
//   in   {"id": n, "op": "call", "target": "...", "argument": "<string>"}
//   out  {"token", "id": n, "ok": true, "value": "<string>"} | {"token", "id": n, "ok": false, "error": {type, message, traceback}}
//        {"token", "type": "progress", "stage": "...", "ms": n}      while booting
//        {"token", "type": "ready", "versions": {...}} | {"token", "type": "failed", "error": {...}}   once, after boot
// The code under test (an author's lesson) runs in this process and could write to stdout: console
// and process.stdout.write are pointed at stderr before any of it is loaded, and the driver takes as
// a message only a line with the token, which that code never sees (it is read from stdin before
// boot, and kept in this module's scope). A message starts on a fresh line, so a partial line that
// code wrote to fd 1 cannot swallow it.
import { Console } from "node:console";
import { createInterface } from "node:readline";
import { errorRecord } from "../../../web_demo/lib/error-record.mjs";
import { answer } from "../../../web_demo/lib/worker-protocol.mjs";

const started = performance.now();
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
let token = null;
const pending = [];

export function send(message) {
  if (token === null) {  // nothing is sent before the token is known (progress from a module's top level)
    pending.push(message);
    return;
  }
  write("\n" + JSON.stringify({ token, ...message }) + "\n");
}

export function progress(stage) {
  send({ type: "progress", stage, ms: Math.round(performance.now() - started) });
}

/** Boot with `boot()` (→ versions), then answer calls with `call(target, argument)` (→ string): in
 *  turn, or with `concurrent` each as soon as it is done (a driver whose calls wait on a browser). */
export async function serve({ boot, call, concurrent = false }) {
  const first = await lines.next();
  if (first.done) return;  // the driver went away before it said anything
  token = first.value.trim();
  pending.splice(0).forEach(send);
  try {
    send({ type: "ready", versions: await boot() });
  } catch (err) {
    send({ type: "failed", error: errorRecord(err) });
    process.exitCode = 1;
    return;
  }
  const ops = { call: ({ target, argument }) => call(target, argument) };
  const inFlight = new Set();
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    const line = next.value;
    if (!line.trim()) continue;
    let request;
    try {
      request = JSON.parse(line);
    } catch (err) {
      send({ id: null, ok: false, error: errorRecord(err) });
      continue;
    }
    const reply = answer(ops, request).then(send);
    if (!concurrent) {
      await reply;
      continue;
    }
    inFlight.add(reply);
    reply.finally(() => inFlight.delete(reply));
  }
  await Promise.allSettled([...inFlight]);
}
