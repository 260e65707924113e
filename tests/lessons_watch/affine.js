// x · w + b, column by column.
export function affine(x, w, b) {
  return { y: x.map((row) => row.map((v, j) => v * w[j] + b)) };
}
