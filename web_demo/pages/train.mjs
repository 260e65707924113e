// The training page: the lesson's network trained by full-batch gradient descent in Python (NumPy in
// Pyodide, pyodide-worker.mjs) and in JavaScript (network.mjs, math.js, network-worker.mjs), side by
// side, from the same initial weights (python_core draws them; the JavaScript run starts from them).
//
// Both workers take the JSON of python_core.training:train_json (the path the harness trains
// through), in chunks: weights out, weights back in, bit-exactly, so the page draws the curves
// as they grow and Stop ends a run between chunks. Nothing trains on the page's own thread.
//
// URL parameters (besides embed.mjs's parentOrigin): task=xor|mnist, hidden, lr, epochs, images.
// Events to the embedding page (embed.mjs): ready; result {passed, details} when a run ends
// (passed: XOR classifies its four rows, MNIST reaches 95% on the test images, in both runtimes,
// and the curves agree within the harness tolerance); error {message}.
// Commands: {type: "train", settings?} and {type: "stop"}.
import { uPlot } from "../vendor/uplot.mjs";
import { Embed, readParams } from "../lib/embed.mjs";
import { el, showProblems } from "../lib/dom.mjs";
import { PythonRuntime } from "../lib/python-runtime.mjs";
import { WorkerClient } from "../lib/worker-client.mjs";
import { decodeFlat, encodeFlat } from "../lib/wire.mjs";
import { TOLERANCE } from "../lib/facts.mjs";
import { ulpDistance } from "../lib/ulp.mjs";
import { generator } from "../lib/cases.mjs";

const { rtol: RTOL, atol: ATOL } = TOLERANCE;          // the harness's tolerance (crosscheck/parity/compare.py)
const CHUNK_SECONDS = 0.25;                 // a redraw about this often
const CALL_TIMEOUT_MS = 120000;
const MNIST_GOAL = 0.95;
const DEFAULTS = {
  // Four hidden units: with two or three, some seeds stall in XOR's local minima (crosscheck/training/tasks.py).
  xor: { hidden: 4, lr: 1.0, epochs: 2000, images: 400 },
  // A small hidden layer and 400 training images, because math.js takes seconds per epoch at 784 → 196
  // on all 1,445; the harness's `train mnist` trains the full network (docs/training.md). With the pixels
  // centred (mnistSplit) 70 epochs reach 95% of the test digits, where raw pixels stop near 92% after 30
  // and need all 1,445 images and 300 epochs for 95% (docs/pages.md has the figures).
  mnist: { hidden: 4, lr: 1.0, epochs: 70, images: 400 },
};
const TASK = {
  xor: { loss: "mse", weight_init_scale: 1.0 },   // standard normal weights (the 0.01 default sits on XOR's saddle)
  mnist: { loss: "bce", weight_init_scale: 0.1 },
};

const $ = (id) => document.getElementById(id);
const params = readParams();
const embed = new Embed("train", params.parentOrigins);
if (embed.problem) params.problems.push(embed.problem);
const url = new URLSearchParams(location.search);
const setState = (s) => { document.documentElement.dataset.train = s; };
setState("idle");

// -- settings ------------------------------------------------------------------------------------
function applyDefaults(task) {
  const d = DEFAULTS[task];
  $("hidden").value = d.hidden; $("lr").value = d.lr; $("epochs").value = d.epochs; $("images").value = String(d.images);
  $("images-label").hidden = task !== "mnist";
}
{
  const task = url.get("task");
  if (task && !Object.hasOwn(DEFAULTS, task)) params.problems.push(`URL parameter task=${task} is not xor or mnist; using xor`);
  $("task").value = Object.hasOwn(DEFAULTS, task) ? task : "xor";
  applyDefaults($("task").value);
  for (const name of ["hidden", "lr", "epochs", "images"]) if (url.get(name)) $(name).value = url.get(name);
}
showProblems($("problems"), params.problems);
for (const problem of params.problems) embed.post("error", { message: problem });
$("task").addEventListener("change", () => { applyDefaults($("task").value); showView(); });

function readSettings() {
  const task = $("task").value;
  const hidden = Number($("hidden").value), lr = Number($("lr").value), epochs = Number($("epochs").value);
  const images = Number($("images").value);
  const problems = [];
  if (!(Number.isInteger(hidden) && hidden >= 1 && hidden <= 196)) problems.push("hidden units: a whole number from 1 to 196");
  if (!(Number.isFinite(lr) && lr > 0 && lr <= 10)) problems.push("learning rate: a number above 0, at most 10");
  if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 100000)) problems.push("epochs: a whole number from 1 to 100,000");
  return { task, hidden, lr, epochs, images, problems };
}

// -- data ------------------------------------------------------------------------------------------
const XOR = { X: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] };
let mnistRaw = null;

// The page's split is drawn with the pages' one seeded generator (mulberry32, lib/cases.mjs).
const rng = generator;

async function loadMnist(status) {
  if (mnistRaw) return mnistRaw;
  status("downloading the MNIST 5s and 8s (1.4 MB)");
  const meta = await (await fetch(new URL("../vendor/mnist-5-8.json", import.meta.url))).json();
  const response = await fetch(new URL(`../vendor/${meta.file}`, import.meta.url));
  if (!response.ok) throw new Error(`MNIST data: ${response.status} for ${meta.file} (made by scripts/setup)`);
  const total = Number(response.headers.get("content-length")) || 0;
  const reader = response.body.getReader();
  const parts = [];
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value); got += value.length;
    if (total) status(`downloading the MNIST 5s and 8s: ${Math.round((100 * got) / total)}%`);
  }
  const bytes = new Uint8Array(got);
  let at = 0;
  for (const p of parts) { bytes.set(p, at); at += p.length; }
  mnistRaw = { meta, bytes, values: Float64Array.from(meta.values) };
  return mnistRaw;
}

/** Test: 20% of each digit, seeded (seed 0); train: the first `images` of the rest, half 5s, half 8s.
 *  Both runtimes get the pixels centred on the training images' mean pixel (gradient descent then does
 *  not first spend its epochs on the shared offset); the page draws the digits from the raw pixels. */
function mnistSplit(raw, images) {
  const pixels = raw.meta.side * raw.meta.side;
  const random = rng(0);
  const train = [], test = [];
  let offset = 0;
  raw.meta.counts.forEach((count, k) => {
    const order = Array.from({ length: count }, (_, i) => offset + i);
    for (let i = count - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    const nTest = Math.round(0.2 * count);
    test.push(...order.slice(0, nTest).map((i) => [i, k]));
    train.push(order.slice(nTest).map((i) => [i, k]));
    offset += count;
  });
  const rest = train[0].length + train[1].length;
  const n = Math.min(images, rest);
  const take = [Math.min(train[0].length, Math.floor(n / 2)), 0];
  take[1] = Math.min(train[1].length, n - take[0]);
  const chosen = [...train[0].slice(0, take[0]), ...train[1].slice(0, take[1])].sort((a, b) => a[0] - b[0]);
  test.sort((a, b) => a[0] - b[0]);
  const rows = (list) => {
    const X = new Float64Array(list.length * pixels), y = new Float64Array(list.length);
    list.forEach(([i, k], r) => {
      for (let p = 0; p < pixels; p++) X[r * pixels + p] = raw.values[raw.bytes[i * pixels + p]];
      y[r] = raw.meta.digits[k] === 8 ? 1 : 0;
    });
    return { X, y, n: list.length };
  };
  const split = { train: rows(chosen), test: rows(test), pixels };
  const mean = new Float64Array(pixels);
  for (let r = 0; r < split.train.n; r++) for (let p = 0; p < pixels; p++) mean[p] += split.train.X[r * pixels + p];
  for (let p = 0; p < pixels; p++) mean[p] /= split.train.n;
  split.test.raw = split.test.X.slice();
  for (const part of [split.train, split.test]) {
    for (let r = 0; r < part.n; r++) for (let p = 0; p < pixels; p++) part.X[r * pixels + p] -= mean[p];
  }
  return split;
}

// -- runtimes --------------------------------------------------------------------------------------
const python = new PythonRuntime($("loading"));
const js = new WorkerClient({ workerUrl: new URL("../lib/network-worker.mjs", import.meta.url), label: "the JavaScript worker" });
const jsBoot = js.boot(60000);
jsBoot.catch(() => {});   // handled where it is awaited (startRun, and the boot below)
const RUNTIMES = {
  python: { label: "Python (NumPy in Pyodide)", short: "Python", train: "python_core.training:train_json",
    put: "python_core.training:put_data_json", call: (t, a) => python.call(t, a, CALL_TIMEOUT_MS), color: "#2f5bd3" },
  javascript: { label: "JavaScript (math.js)", short: "JavaScript", train: "network:trainJson", put: "network:putDataJson",
    call: (t, a) => js.call(t, a, CALL_TIMEOUT_MS), color: "#d9822b" },
};

// -- the chart -------------------------------------------------------------------------------------
let plot = null;
// Log-scale ticks: 1e-4 as "1e-4", not a rounded "0"; plain numbers from 0.01 up.
const logTick = (v) => (v == null ? "" : v >= 0.01 ? String(Number(v.toPrecision(2))) : v.toExponential(0).replace("e-", "e−"));
function makePlot() {
  const width = Math.max(260, $("chart").clientWidth);
  const opts = {
    width, height: width < 500 ? 240 : 300,
    scales: { x: { time: false }, loss: { distr: 3 }, gap: { distr: 3 } },
    series: [
      { label: "epoch" },
      { label: "Python", scale: "loss", stroke: RUNTIMES.python.color, width: 2, value: (u, v) => v == null ? "–" : v.toPrecision(6) },
      { label: "JavaScript", scale: "loss", stroke: RUNTIMES.javascript.color, width: 1.5, dash: [6, 4], value: (u, v) => v == null ? "–" : v.toPrecision(6) },
      // Faint dots, no line: the gap jumps by orders of magnitude from one epoch to the next, and a line
      // joining them would be a solid band over the curves.
      { label: "|Δ|", scale: "gap", stroke: "rgba(180, 35, 24, 0.45)", fill: "rgba(180, 35, 24, 0.45)", width: 0,
        paths: () => null, points: { show: true, size: 2.5, width: 0, fill: "rgba(180, 35, 24, 0.35)" },
        value: (u, v) => v == null ? "0" : v.toExponential(2) },
    ],
    axes: [
      { label: "epoch" },
      { scale: "loss", label: "loss", values: (u, vals) => vals.map(logTick) },
      { scale: "gap", side: 1, label: "|Δ loss|", stroke: "#b42318", grid: { show: false }, size: 62,
        values: (u, vals) => vals.map((v) => (v == null ? "" : v.toExponential(0))) },
    ],
    legend: { live: true },
    // Away from the cursor the legend shows the last epoch, not dashes.
    hooks: { setLegend: [(u) => { if (u.legend.idx == null && u.data[0].length) u.setLegend({ idx: u.data[0].length - 1 }); }] },
  };
  $("chart").replaceChildren();
  plot = new uPlot(opts, [[], [], [], []], $("chart"));
}
new ResizeObserver(() => { if (plot) plot.setSize({ width: Math.max(260, $("chart").clientWidth), height: $("chart").clientWidth < 500 ? 240 : 300 }); })
  .observe($("chart"));

// -- one run ---------------------------------------------------------------------------------------
let run = null;   // {settings, losses: {python: [], javascript: []}, state: {...}, stopped, ...}
let drawQueued = false;

function queueDraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => { drawQueued = false; draw(); });
}

function gapStats(r) {
  const a = r.losses.python, b = r.losses.javascript, n = Math.min(a.length, b.length);
  let worst = 0, worstUlp = 0n, at = 0, outside = 0;
  const gaps = new Array(n);
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i] - b[i]);
    gaps[i] = d > 0 ? d : null;
    if (d > worst) { worst = d; at = i + 1; }
    const u = ulpDistance(a[i], b[i]);
    if (u !== null && u > worstUlp) worstUlp = u;
    if (!(d <= ATOL + RTOL * Math.abs(a[i]))) outside++;
  }
  return { n, gaps, worst, worstUlp, at, outside };
}

function draw() {
  if (!run) return;
  const { python: a, javascript: b } = run.losses;
  const n = Math.max(a.length, b.length);
  const g = gapStats(run);
  const x = Array.from({ length: n }, (_, i) => i + 1);
  const pad = (arr) => Array.from({ length: n }, (_, i) => (i < arr.length ? arr[i] : null));
  plot.setData([x, pad(a), pad(b), Array.from({ length: n }, (_, i) => (i < g.n ? g.gaps[i] : null))]);
  if (n && plot.cursor.left < 0) plot.setLegend({ idx: n - 1 });
  run.gap = g;
  const gap = $("gap");
  if (g.n) {
    gap.className = `gap-line ${g.outside ? "bad" : "ok"}`;
    gap.textContent = `Gap over the ${g.n.toLocaleString()} epochs both have run: worst |Δ loss| ${g.worst ? g.worst.toExponential(2) : "0"}`
      + ` (${g.worstUlp} ULP${g.worst ? `, epoch ${g.at}` : ""}); ${g.outside ? `${g.outside} epochs OUTSIDE` : "every epoch within"} the tolerance (rtol ${RTOL}, atol ${ATOL}).`;
  }
  const done = Math.min(a.length, b.length);
  $("progress").value = n ? (a.length + b.length) / (2 * run.settings.epochs) : 0;
  if (run.phase === "training") {
    $("status").textContent = `Training: Python at epoch ${a.length.toLocaleString()}, JavaScript at epoch ${b.length.toLocaleString()} of ${run.settings.epochs.toLocaleString()}`
      + (done ? `; loss ${a[done - 1].toPrecision(5)}` : "");
  }
  showView();
}

async function putData(name, key, data) {
  const arrays = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, encodeFlat(v.values, v.shape)]));
  const reply = JSON.parse(await RUNTIMES[name].call(RUNTIMES[name].put, JSON.stringify({ key, arrays })));
  if (!reply.ok) throw new Error(`${RUNTIMES[name].short} refused the data: ${reply.error.type}: ${reply.error.message}`);
}

const rowsOf = (flat, cols) => Array.from({ length: flat.length / cols }, (_, i) => flat.subarray(i * cols, (i + 1) * cols));
const decodeState = (s) => ({ weights: s.weights.map((w) => { const d = decodeFlat(w); return rowsOf(d.data, d.shape[1]); }),
  biases: s.biases.map((b) => decodeFlat(b).data) });

/** Train in one runtime in chunks until done or stopped; the first chunk of Python gives the initial weights. */
async function trainIn(name, r, startState) {
  const rt = RUNTIMES[name];
  let state = startState, done = 0, chunk = 1;
  while (done < r.settings.epochs && !r.stopped) {
    chunk = Math.max(1, Math.min(chunk, r.settings.epochs - done));
    const last = done + chunk === r.settings.epochs;
    const request = { network: r.network, data: { key: r.key }, state, epochs: chunk, learning_rate: r.settings.lr, outputs: last };
    if (done === 0 && state) request.initial = true;
    const reply = JSON.parse(await rt.call(rt.train, JSON.stringify(request)));
    if (!reply.ok) throw new Error(`${rt.short}: ${reply.error.type}: ${reply.error.message}`);
    if (done === 0 && name === "python") r.resolveInitial(reply.initial_state);
    for (const v of decodeFlat(reply.losses).data) r.losses[name].push(v);
    state = reply.state;
    r.state[name] = decodeState(state);
    done += chunk;
    if (last) r.final[name] = { train: reply.train, test: reply.test, versions: reply.versions };
    queueDraw();
    chunk = Math.max(1, Math.round(CHUNK_SECONDS / Math.max(reply.seconds / chunk, 1e-6)));
  }
}

async function startRun(overrides = {}) {
  if (run && (run.phase === "training" || run.phase === "loading")) return;
  for (const [k, v] of Object.entries(overrides)) if ($(k)) $(k).value = String(v);
  if (overrides.task) $("images-label").hidden = overrides.task !== "mnist";
  const settings = readSettings();
  if (settings.problems.length) { $("status").textContent = `Check the settings: ${settings.problems.join("; ")}.`; announce($("status").textContent); return; }
  makePlot();
  let resolveInitial;
  const initial = new Promise((res) => { resolveInitial = res; });
  run = { settings, losses: { python: [], javascript: [] }, state: {}, final: {}, stopped: false, phase: "loading", resolveInitial };
  const r = run;
  setControls(true);
  setState("loading");
  $("summary").replaceChildren();
  $("gap").textContent = "Gap: –";
  const status = (text) => { $("status").textContent = `Getting ready: ${text}…`; };
  try {
    status("waiting for Python");
    await python.ready;
    if (python.state !== "ready") throw new Error(`Python could not be loaded: ${python.error}`);
    status("starting the JavaScript worker");
    await jsBoot;
    let data, inputs;
    if (settings.task === "xor") {
      inputs = 2;
      data = { X: { values: XOR.X.flat(), shape: [4, 2] }, y: { values: XOR.y, shape: [4, 1] } };
      r.view = { X: XOR.X, y: XOR.y };
    } else {
      const raw = await loadMnist(status);
      const split = mnistSplit(raw, settings.images);
      inputs = split.pixels;
      data = { X: { values: split.train.X, shape: [split.train.n, inputs] }, y: { values: split.train.y, shape: [split.train.n, 1] },
        X_test: { values: split.test.X, shape: [split.test.n, inputs] }, y_test: { values: split.test.y, shape: [split.test.n, 1] } };
      r.view = { test: split.test, pixels: inputs, trainN: split.train.n };
    }
    r.network = { layer_sizes: [inputs, settings.hidden, 1], activations: "sigmoid", loss: TASK[settings.task].loss,
      weight_init: "random_scaled", weight_init_scale: TASK[settings.task].weight_init_scale, seed: 0 };
    r.key = `${settings.task}-${settings.images}-${Date.now()}`;
    status("sending the data to both workers");
    await Promise.all([putData("python", r.key, data), putData("javascript", r.key, data)]);
    r.phase = "training";
    setState("training");
    announce(`Training ${settings.task === "xor" ? "XOR" : "MNIST 5 vs 8"} for ${settings.epochs.toLocaleString()} epochs in both runtimes.`);
    draw();
    // JavaScript starts from the weights Python drew (its first chunk's initial_state).
    await Promise.all([trainIn("python", r, null), initial.then((state) => trainIn("javascript", r, state))]);
    r.phase = r.stopped ? "stopped" : "done";
  } catch (err) {
    r.phase = "failed";
    r.error = `${err.name}: ${err.message}`;
    r.resolveInitial(null);
    $("status").textContent = `Training failed: ${r.error}`;
    announce($("status").textContent);
    embed.post("error", { message: `training failed: ${r.error}` });
  }
  draw();
  finish(r);
}

function finish(r) {
  setControls(false);
  const g = r.gap || gapStats(r);
  const outcome = outcomes(r);
  if (r.phase === "stopped") {
    $("status").textContent = `Stopped: Python after ${r.losses.python.length.toLocaleString()} epochs, JavaScript after ${r.losses.javascript.length.toLocaleString()}.`;
  } else if (r.phase === "done") {
    $("status").textContent = `Done: ${r.settings.epochs.toLocaleString()} epochs in both runtimes.`;
  }
  const details = { task: r.settings.task, settings: r.settings, phase: r.phase, epochs: { python: r.losses.python.length, javascript: r.losses.javascript.length },
    finalLoss: { python: r.losses.python.at(-1) ?? null, javascript: r.losses.javascript.at(-1) ?? null },
    parity: { epochsCompared: g.n, worstAbsDiff: g.worst, worstUlp: Number(g.worstUlp), epochsOutsideTolerance: g.outside, withinTolerance: g.n > 0 && !g.outside },
    ...outcome };
  if (r.phase !== "failed") announce(`${$("status").textContent} ${$("summary").textContent}`);
  window.trainingResult = details;
  setState(r.phase);
  if (r.phase !== "failed") embed.post("result", { passed: r.phase === "done" && outcome.goalMet && details.parity.withinTolerance, details });
}

/** What each runtime's network got right, from its own final report (train/test outputs of train_json). */
function outcomes(r) {
  const out = { accuracy: {}, goalMet: false };
  for (const name of ["python", "javascript"]) {
    const f = r.final[name];
    if (!f) continue;
    out.accuracy[name] = r.settings.task === "xor" ? f.train.accuracy : f.test.accuracy;
    if (r.settings.task === "xor") out[`${name}Outputs`] = Array.from(decodeFlat(f.train.output).data);
  }
  const acc = Object.values(out.accuracy);
  out.goalMet = acc.length === 2 && acc.every((a) => (r.settings.task === "xor" ? a === 1 : a >= MNIST_GOAL));
  return out;
}

function setControls(busy) {
  for (const id of ["task", "hidden", "lr", "epochs", "images"]) $(id).disabled = busy;
  // aria-disabled, not disabled: a disabled button drops the focus of the learner who pressed it.
  $("train").setAttribute("aria-disabled", String(busy));
  $("stop").disabled = false;
  $("stop").setAttribute("aria-disabled", String(!busy));
}

/** The live region: a run's start, its end and errors; the per-chunk status line is not announced. */
const announce = (text) => { $("announce").textContent = text; };

$("train").addEventListener("click", () => startRun());
$("stop").addEventListener("click", () => stopRun());
function stopRun() {
  if (run && (run.phase === "training" || run.phase === "loading")) {
    run.stopped = true;
    $("status").textContent = "Stopping after the current chunk…";
  }
}

// -- what the network learnt -----------------------------------------------------------------------
/** Plain forward pass of a 2-layer sigmoid network from a runtime's state (display only). */
function forward(state, x) {
  const [W1, W2] = state.weights, [b1, b2] = state.biases;
  const h = new Float64Array(b1.length);
  for (let j = 0; j < b1.length; j++) {
    let z = b1[j];
    for (let i = 0; i < x.length; i++) z += x[i] * W1[i][j];
    h[j] = 1 / (1 + Math.exp(-z));
  }
  let z = b2[0];
  for (let j = 0; j < h.length; j++) z += h[j] * W2[j][0];
  return 1 / (1 + Math.exp(-z));
}

function heatmap(canvas, state) {
  const size = 64, ctx = canvas.getContext("2d");
  canvas.width = size; canvas.height = size;
  if (!state) {   // not trained yet: a light square with the four rows, not the 0.5 contour everywhere
    ctx.fillStyle = "#f5f7fa"; ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "#d9dee7"; ctx.lineWidth = 0.5;
    for (const t of [0, 1]) {
      const at = ((t + 0.25) / 1.5) * size;
      ctx.beginPath(); ctx.moveTo(at, 0); ctx.lineTo(at, size); ctx.moveTo(0, size - at); ctx.lineTo(size, size - at); ctx.stroke();
    }
    dots(ctx, size);
    return;
  }
  const img = ctx.createImageData(size, size);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x1 = -0.25 + (1.5 * (px + 0.5)) / size, x2 = 1.25 - (1.5 * (py + 0.5)) / size;
      const p = state ? forward(state, [x1, x2]) : 0.5;
      const edge = Math.abs(p - 0.5) < 0.02;
      // blue for 0, orange for 1, white at 0.5; the 0.5 contour dark
      const c = edge ? [40, 40, 40] : p < 0.5 ? [255 - 2 * (0.5 - p) * 200, 255 - 2 * (0.5 - p) * 140, 255] : [255, 255 - 2 * (p - 0.5) * 130, 255 - 2 * (p - 0.5) * 220];
      const k = 4 * (py * size + px);
      img.data[k] = c[0]; img.data[k + 1] = c[1]; img.data[k + 2] = c[2]; img.data[k + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  dots(ctx, size);
}

function dots(ctx, size) {
  XOR.X.forEach(([a, b], i) => {
    const cx = ((a + 0.25) / 1.5) * size, cy = ((1.25 - b) / 1.5) * size;
    ctx.beginPath(); ctx.arc(cx, cy, 3.2, 0, 2 * Math.PI);
    ctx.fillStyle = XOR.y[i] ? "#d9822b" : "#2f5bd3"; ctx.fill();
    ctx.lineWidth = 1.2; ctx.strokeStyle = "#fff"; ctx.stroke();
  });
}

const SHOWN_DIGITS = 40;
/** The epoch a runtime's shown weights come from, or null before its first chunk. */
const epochOf = (name, states) => (states[name] && run ? run.losses[name].length : null);
function showView() {
  const task = run && run.view ? run.settings.task : $("task").value;
  const view = $("view");
  if (task === "xor") {
    if (!view.querySelector(".heatmaps")) {
      view.replaceChildren(el("div", { class: "heatmaps" }, ["python", "javascript"].map((n) => el("figure", {},
        el("canvas", { id: `heat-${n}`, "aria-label": `decision boundary of the ${RUNTIMES[n].short} network`, role: "img" }),
        el("figcaption", { id: `heat-${n}-caption` }, RUNTIMES[n].label)))), el("div", { class: "xor-rows", id: "xor-rows" }),
        el("p", { class: "help" }, "Output over the square [−0.25, 1.25]²: blue towards 0, orange towards 1, the dark line at 0.5. Dots: XOR's four rows, coloured by their target."));
    }
    const states = run && run.settings.task === "xor" ? run.state : {};
    for (const n of ["python", "javascript"]) {
      heatmap($(`heat-${n}`), states[n]);
      // Each runtime's own epoch: after Stop the two may be far apart, and so are their pictures.
      const epoch = epochOf(n, states);
      $(`heat-${n}-caption`).textContent = `${RUNTIMES[n].label}: ${epoch === null ? "not trained yet" : `after epoch ${epoch.toLocaleString()}`}`;
      $(`heat-${n}`).closest("figure").dataset.epoch = epoch ?? "";
    }
    const rows = XOR.X.map((x, i) => el("tr", {}, el("td", {}, `(${x.join(", ")})`), el("td", {}, String(XOR.y[i])),
      ["python", "javascript"].map((n) => {
        if (!states[n]) return el("td", {}, "…");
        const p = forward(states[n], x), ok = (p >= 0.5) === (XOR.y[i] === 1);
        return el("td", { class: ok ? "ok" : "bad" }, `${p.toFixed(3)} ${ok ? "✓" : "✗"}`);
      })));
    const header = (n) => el("th", { dataset: { epoch: epochOf(n, states) ?? "" } }, RUNTIMES[n].short,
      epochOf(n, states) === null ? null : el("span", { class: "epoch" }, ` (epoch ${epochOf(n, states).toLocaleString()})`));
    $("xor-rows").replaceChildren(el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "input"), el("th", {}, "target"), header("python"), header("javascript"))),
      el("tbody", {}, rows)));
    summary();
    return;
  }
  // MNIST: a grid of test digits with the Python network's answer, mistakes marked.
  if (!run || !run.view || !run.view.test) {
    view.replaceChildren(el("p", { class: "help" }, "Press Train: the test digits appear here with the network's answer (5 or 8), mistakes marked in red."));
    summary();
    return;
  }
  const { test, pixels } = run.view;
  const state = run.state.python;
  if (!view.querySelector(".digits")) {
    const picks = Array.from({ length: Math.min(SHOWN_DIGITS, test.n) }, (_, k) => Math.floor((k * test.n) / Math.min(SHOWN_DIGITS, test.n)));
    view.replaceChildren(el("div", { class: "digits" }, picks.map((i) => {
      const canvas = el("canvas", { width: 28, height: 28 });
      const ctx = canvas.getContext("2d"), img = ctx.createImageData(28, 28);
      for (let p = 0; p < pixels; p++) {
        const v = 255 - Math.round(255 * test.raw[i * pixels + p]);
        img.data.set([v, v, v, 255], 4 * p);
      }
      ctx.putImageData(img, 0, 0);
      return el("div", { class: "digit", dataset: { i, label: test.y[i] ? 8 : 5 } }, canvas, el("div", { class: "p" }, "…"));
    })), el("p", { class: "help" }, `${Math.min(SHOWN_DIGITS, test.n)} of the ${test.n} test digits (never trained on), with the Python network's answer and its output p = P(8) (above 0.5 means 8); red: wrong.`),
      el("p", { class: "help", id: "digits-epoch" }));
  }
  let right = 0;
  const outputs = state ? Array.from({ length: test.n }, (_, i) => forward(state, test.X.subarray(i * pixels, (i + 1) * pixels))) : null;
  if (outputs) outputs.forEach((p, i) => { if ((p >= 0.5) === (test.y[i] === 1)) right++; });
  for (const cell of view.querySelectorAll(".digit")) {
    const i = Number(cell.dataset.i);
    if (!outputs) continue;
    const p = outputs[i], guess = p >= 0.5 ? 8 : 5, ok = guess === Number(cell.dataset.label);
    cell.className = `digit ${ok ? "right" : "wrong"}`;
    cell.dataset.guess = guess;
    cell.lastChild.replaceChildren(`predicted ${guess} ${ok ? "✓" : "✗"}`, el("br"), `(p ${p.toFixed(2)})`);
    cell.title = `label ${cell.dataset.label}, network says ${guess} (P(8) = ${p.toFixed(3)})`;
  }
  run.liveAccuracy = outputs ? right / test.n : null;
  if (outputs) $("digits-epoch").textContent = `Answers of Python's network after epoch ${run.losses.python.length.toLocaleString()}.`;
  summary();
}

function summary() {
  const box = $("summary");
  if (!run || !run.view) { box.replaceChildren(); return; }
  const parts = [];
  if (run.settings.task === "mnist" && run.liveAccuracy != null) {
    parts.push(el("div", {}, `Test accuracy now (Python's weights after epoch ${run.losses.python.length}): `,
      el("strong", {}, `${(100 * run.liveAccuracy).toFixed(1)}%`), ` of ${run.view.test.n} test digits (trained on ${run.view.trainN}).`));
  }
  const o = outcomes(run);
  for (const name of ["python", "javascript"]) {
    if (o.accuracy[name] === undefined) continue;
    const a = o.accuracy[name];
    const good = run.settings.task === "xor" ? a === 1 : a >= MNIST_GOAL;
    parts.push(el("div", { dataset: { runtime: name } }, `${RUNTIMES[name].label}, final: `,
      el("span", { class: good ? "ok" : "bad" }, run.settings.task === "xor" ? `${Math.round(a * 4)} of 4 rows right` : `test accuracy ${(100 * a).toFixed(1)}%`)));
  }
  box.replaceChildren(...parts);
}

// -- start -----------------------------------------------------------------------------------------
makePlot();
showView();
embed.on("train", (message) => startRun(message.settings || {}));
embed.on("stop", () => stopRun());
python.boot().then(async () => {
  let jsError = null;
  try { await jsBoot; } catch (err) { jsError = `${err.name}: ${err.message}`; }
  if (jsError) {
    $("status").textContent = `The JavaScript worker could not start (${jsError}). Reload the page to try again.`;
    announce($("status").textContent);
    embed.post("error", { message: `the JavaScript worker could not start: ${jsError}` });
  } else if (python.state === "ready") {
    $("status").textContent = "Ready: choose a task and press Train.";
    $("meta").textContent = `${python.describe()} · math.js ${js.versions ? js.versions.mathjs : "?"}`;
    embed.post("ready", { versions: { python: python.versions, javascript: js.versions } });
  } else {
    embed.post("error", { message: `Python could not be loaded: ${python.error}` });
  }
});
