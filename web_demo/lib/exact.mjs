// The layer's exact result for a case's float64 inputs, each element correctly rounded to float64
// (nearest, ties to even): what the lab measures bits of error against, in the browser and offline.
//
// The same truth as crosscheck/parity/exact.py, reached by another road (BigInt instead of mpmath,
// written separately, so that the two check each other; tests/test_web_exact.py compares them):
// - every float64 is an integer times a power of two (a dyadic), so z and every sum of products
//   are exact BigInt arithmetic;
// - e^(−y) is enclosed in an interval [lo, hi] from a Taylor series on BigInts whose every
//   truncation is bounded, after y = k·ln 2 + r (ln 2 itself enclosed); σ, tanh and their true
//   derivatives are rational functions of q = e^(−|z|) or e^(−2|z|), monotone on 0 ≤ q ≤ 1, written
//   so that none cancels (σ′ = q/(1 + q)², tanh′ = 4q/(1 + q)²), so their bounds are the function at
//   the ends of q's interval, each rounded outward;
// - each result is an interval of dyadics, accepted only when both ends round to the same float64;
//   otherwise the case is redone with twice the precision.
// An exact zero is +0; −0 and +0 count as the same float64 here, as the ULP distance counts them.

const START_PREC = 96;
const MAX_PREC = 6144;
// Beyond y = 2^14, e^(−y) < 2^(−23637): it is enclosed in [0, 2^(−23637)] rather than computed, since
// 2^(−23637) times any product of two float64s is far below the smallest subnormal.
const Y_BITS_MAX = 14;
const TINY_EXP = 23637;

const view = new DataView(new ArrayBuffer(8));

function bitLength(n) {
  if (n < 0n) n = -n;
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/** A float64 as a dyadic {n, e}, value n·2^e, exactly. */
export function toDyadic(x) {
  if (!Number.isFinite(x)) throw new Error(`exact: ${x} is not a finite number`);
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const field = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  const n = field === 0 ? frac : frac | (1n << 52n);
  return { n: bits >> 63n ? -n : n, e: field === 0 ? -1074 : field - 1075 };
}

function pow2(k) { // 2^k as a float64, built from its bits (k in −1074…1023)
  view.setBigUint64(0, k >= -1022 ? BigInt(k + 1023) << 52n : 1n << BigInt(k + 1074));
  return view.getFloat64(0);
}

/** n·2^e rounded to the nearest float64, ties to even; ±inf beyond the range, subnormals exact. */
export function roundDyadic(n, e) {
  if (n === 0n) return 0;
  const negative = n < 0n;
  const m = negative ? -n : n;
  const top = bitLength(m) - 1 + e; // m·2^e lies in [2^top, 2^(top+1))
  if (top >= 1024) return negative ? -Infinity : Infinity;
  const lsb = Math.max(top - 52, -1074);
  const shift = lsb - e;
  let q;
  if (shift <= 0) q = m << BigInt(-shift);
  else {
    q = m >> BigInt(shift);
    const rest = m - (q << BigInt(shift)), half = 1n << BigInt(shift - 1);
    if (rest > half || (rest === half && (q & 1n))) q += 1n;
  }
  const value = Number(q) * pow2(lsb); // q ≤ 2^53: exact, or the overflow to inf that rounding up meant
  return negative ? -value : value;
}

// dyadic arithmetic: exact
const ZERO = { n: 0n, e: 0 };
const mul = (a, b) => ({ n: a.n * b.n, e: a.e + b.e });
function add(a, b) {
  if (a.n === 0n) return b;
  if (b.n === 0n) return a;
  const e = Math.min(a.e, b.e);
  return { n: (a.n << BigInt(a.e - e)) + (b.n << BigInt(b.e - e)), e };
}
const neg = (a) => ({ n: -a.n, e: a.e });
const point = (d) => ({ lo: d, hi: d });

/** a/b (a ≥ 0, b > 0 BigInts) as a dyadic of at least `prec` bits, rounded down or up. */
function divide(a, b, up, prec) {
  if (a === 0n) return ZERO;
  const s = prec + bitLength(b) - bitLength(a) + 2;
  const num = s >= 0 ? a << BigInt(s) : a, den = s >= 0 ? b : b << BigInt(-s);
  let q = num / den;
  if (up && q * den !== num) q += 1n;
  return { n: q, e: -s };
}

// ln 2 = Σ_{k≥1} 1/(k·2^k): with each term floored at L bits, ln 2 ∈ [S, S + L + 3]·2^(−L).
const ln2Cache = new Map();
function ln2Bounds(L) {
  if (!ln2Cache.has(L)) {
    let s = 0n;
    for (let k = 1; k <= L + 1; k++) s += (1n << BigInt(L)) / (BigInt(k) << BigInt(k));
    ln2Cache.set(L, [s, s + BigInt(L + 3)]);
  }
  return ln2Cache.get(L);
}

/** e^r·2^w from below, for 0 ≤ r = R·2^(−w) < 1, and how far below it can be (in units of 2^(−w)). */
function expSeriesBelow(R, w) {
  const one = 1n << BigInt(w);
  let t = one, s = one, n = 1n;
  while (t > 0n) { t = ((t * R) >> BigInt(w)) / n; n += 1n; s += t; }
  // each term is at most 2 units under its true value plus its predecessor's deficit (r/n < 1),
  // so term n is at most 2n under; the terms dropped after the last sum less than twice the last
  const N = n;
  return [s, N * N + 5n * N + 1n];
}

/**
 * e^(−y) for a dyadic y ≥ 0, enclosed: {lo, hi, m} with lo·2^(−m) ≤ e^(−y) ≤ hi·2^(−m) ≤ 1, about
 * `prec` bits apart.
 */
function expNeg(y, prec) {
  const w = prec + 32;
  if (y.n === 0n) return { lo: 1n, hi: 1n, m: 0 };
  const yBits = bitLength(y.n) + y.e;
  if (yBits > Y_BITS_MAX) return { lo: 0n, hi: 1n, m: TINY_EXP };
  const L = w + Math.max(yBits, 0) + 16;
  const [l0, l1] = ln2Bounds(L);
  const T = Math.max(L, -y.e); // y·2^T is an integer
  const Y = y.n << BigInt(y.e + T);
  const up = BigInt(T - L);
  // k·ln 2 ≤ y for every ln 2 in its interval, so r = y − k·ln 2 ≥ 0 (and below ln 2 + 2^(−w))
  const k = (Y >> BigInt(T - L)) / l1;
  const rLo = Y - k * (l1 << up), rHi = Y - k * (l0 << up);
  const cut = BigInt(T - w);
  const RLo = rLo >> cut, RHi = -((-rHi) >> cut); // floor, ceil
  const [eLo] = expSeriesBelow(RLo, w);
  const [eHiBelow, slack] = expSeriesBelow(RHi, w);
  const eHi = eHiBelow + slack;
  // e^(−y) = 2^(−k)·e^(−r): over 2^(w + k), between 2^(2w)/e^r's upper and lower bounds
  const two2w = 1n << BigInt(2 * w);
  const m = w + Number(k);
  const D = 1n << BigInt(m);
  const lo = two2w / eHi;
  const hi = -((-two2w) / eLo); // BigInt division truncates toward zero: this is the ceiling
  return { lo, hi: hi > D ? D : hi, m };
}

/** f(z) and its true derivative f′(z), each an interval of dyadics, for sigmoid or tanh. */
function transcendental(name, z, prec) {
  if (z.n === 0n) {
    return name === "sigmoid" ? [point({ n: 1n, e: -1 }), point({ n: 1n, e: -2 })]
      : [point(ZERO), point({ n: 1n, e: 0 })];
  }
  const absZ = { n: z.n < 0n ? -z.n : z.n, e: z.e };
  const q = expNeg(name === "tanh" ? { n: absZ.n, e: absZ.e + 1 } : absZ, prec);
  const D = 1n << BigInt(q.m);
  const p = prec + 16;
  // at q's two ends: f is monotone in q on [0, 1], so the ends bound it
  const at = (Q, up) => {
    const den = D + Q;
    if (name === "sigmoid") {
      return {
        value: z.n > 0n ? divide(D, den, up, p) : divide(Q, den, up, p), // σ(|z|) = 1/(1+q), σ(−|z|) = q/(1+q)
        slope: divide(Q * D, den * den, up, p),                          // σ(z)·σ(−z) = q/(1+q)²
      };
    }
    return { value: divide(D - Q, den, up, p), slope: divide(4n * Q * D, den * den, up, p) }; // |tanh|, sech²
  };
  const fromLo = at(q.lo, false), fromHi = at(q.hi, true);
  const fromLoUp = at(q.lo, true), fromHiDown = at(q.hi, false);
  const slope = { lo: fromLo.slope, hi: fromHi.slope }; // both slopes increase with q
  let value;
  if (name === "sigmoid" && z.n < 0n) value = { lo: fromLo.value, hi: fromHi.value };
  else value = { lo: fromHiDown.value, hi: fromLoUp.value }; // σ(|z|) and |tanh| decrease with q
  if (name === "tanh" && z.n < 0n) value = { lo: neg(value.hi), hi: neg(value.lo) };
  return [value, slope];
}

// interval sums of exact float64s times intervals
function times(x, interval) { // x a dyadic
  const a = mul(x, interval.lo), b = mul(x, interval.hi);
  return x.n < 0n ? { lo: b, hi: a } : { lo: a, hi: b };
}
const plus = (s, t) => ({ lo: add(s.lo, t.lo), hi: add(s.hi, t.hi) });

/** The float64 of an interval, or null when its ends round apart (more precision needed). */
function rounded(interval) {
  const a = roundDyadic(interval.lo.n, interval.lo.e), b = roundDyadic(interval.hi.n, interval.hi.e);
  if (Object.is(a, b)) return a;
  return a === b ? 0 : null; // −0 and +0: the exact zero's sign is +
}

function atPrecision(spec, prec) {
  const X = spec.inputs.map((row) => row.map(toDyadic));
  const W = spec.weights.map((row) => row.map(toDyadic));
  const B = spec.biases[0].map(toDyadic);
  const U = spec.upstream.map((row) => row.map(toDyadic));
  const batch = X.length, nIn = W.length, nOut = W[0].length;
  const name = spec.activation;
  const output = [], dZ = [];
  for (let b = 0; b < batch; b++) {
    const outRow = [], dRow = [];
    for (let j = 0; j < nOut; j++) {
      let z = B[j];
      for (let i = 0; i < nIn; i++) z = add(z, mul(X[b][i], W[i][j]));
      let value, slope;
      if (name === "linear") [value, slope] = [point(z), point({ n: 1n, e: 0 })];
      else if (name === "relu") [value, slope] = z.n > 0n ? [point(z), point({ n: 1n, e: 0 })] : [point(ZERO), point(ZERO)];
      else if (name === "sigmoid" || name === "tanh") [value, slope] = transcendental(name, z, prec);
      else throw new Error(`exact: no exact form for the activation ${name}`);
      outRow.push(value);
      dRow.push(times(U[b][j], slope));
    }
    output.push(outRow);
    dZ.push(dRow);
  }
  const sum = (n, term) => { let s = point(ZERO); for (let k = 0; k < n; k++) s = plus(s, term(k)); return s; };
  const intervals = {
    output,
    dWeights: W.map((_, i) => W[0].map((__, j) => sum(batch, (b) => times(X[b][i], dZ[b][j])))),
    dBiases: [W[0].map((_, j) => sum(batch, (b) => dZ[b][j]))],
    dInputs: X.map((_, b) => W.map((__, i) => sum(nOut, (j) => times(W[i][j], dZ[b][j])))),
  };
  const result = {};
  for (const [array, rows] of Object.entries(intervals)) {
    result[array] = rows.map((row) => row.map(rounded));
    if (result[array].some((row) => row.includes(null))) return null;
  }
  return result;
}

/** {output, dWeights, dBiases, dInputs}: each element the correctly rounded exact value. */
export function exactCase(spec) {
  for (let prec = START_PREC; prec <= MAX_PREC; prec *= 2) {
    const result = atPrecision(spec, prec);
    if (result) return result;
  }
  throw new Error(`exact: correct rounding not certified within ${MAX_PREC} bits`);
}
