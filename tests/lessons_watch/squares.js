// The sum of squares and its gradient.
export function sumOfSquares(x) {
  let loss = 0;
  for (const v of x) loss += v * v;
  return { loss, dX: x.map((v) => 2 * v) };
}
