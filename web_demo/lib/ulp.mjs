// Float64 bits and distances in units in the last place (ULPs), for the pages' cells.
//
// Mapping each double to an integer on one line (negatives folded below zero) makes adjacent
// doubles adjacent integers, so the ULP distance is a plain subtraction; -0 and +0 land on
// the same integer, so they are 0 ULP apart. BigInt keeps all 64 bits exact.

const view = new DataView(new ArrayBuffer(8));

/** The 16 hex digits of x's IEEE-754 bits, big-endian (what Python's struct.pack(">d") gives). */
export function bitsHex(x) {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, "0");
}

function ordered(x) {
  view.setFloat64(0, x);
  const signed = view.getBigInt64(0);
  return signed < 0n ? -(signed & 0x7fffffffffffffffn) : signed;
}

/** The same value: equal doubles (±0 included, equal infinities too) or two NaNs. */
export const sameValue = (a, b) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * ULPs between two doubles (a BigInt ≥ 0): 0 for the same value, even an infinity or NaN (as
 * crosscheck/parity/compare.py counts them); null when only one is not finite (no finite distance).
 */
export function ulpDistance(a, b) {
  if (sameValue(a, b)) return 0n;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  const d = ordered(a) - ordered(b);
  return d < 0n ? -d : d;
}

const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * ULPs from a value to the exact one as crosscheck/parity/compare.py's ulp_distance counts them:
 * infinities are the doubles just past the largest finite one, and NaN against a number is the
 * largest uint64 (so a NaN is all error).
 */
export function ulpsFromExact(value, exact) {
  if (Number.isNaN(value) || Number.isNaN(exact)) return Number.isNaN(value) && Number.isNaN(exact) ? 0n : MAX_UINT64;
  const d = ordered(value) - ordered(exact);
  return d < 0n ? -d : d;
}

/** Herbie's bits of error, log2(1 + ULPs): crosscheck/parity/accuracy.py's bits_of_error (0 to 64). */
export const bitsOfError = (ulps) => Math.log2(1 + Number(ulps));

/** Shortest text that parses back to the same double (JavaScript's and Python's repr agree on the value). */
export const exactText = (x) => (Object.is(x, -0) ? "-0" : String(x));
