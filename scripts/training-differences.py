"""Where NumPy and the JavaScript network part at the last bit: exp, log, log1p (NumPy vs V8's
Math functions, through node) and summation order (BLAS matrix product vs left-to-right dot
products as math.js adds them; pairwise vs sequential batch sums). Figures in docs/training.md.

    .venv/bin/python scripts/training-differences.py
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from crosscheck.training.datasets import mnist  # noqa: E402

NODE = """
const fs = require('fs'); const b = fs.readFileSync('z.bin'); const z = new Float64Array(b.buffer, b.byteOffset, b.length / 8);
const c = fs.readFileSync('p.bin'); const p = new Float64Array(c.buffer, c.byteOffset, c.length / 8);
const e = new Float64Array(z.length), l = new Float64Array(z.length), l1 = new Float64Array(z.length);
for (let i = 0; i < z.length; i++) { e[i] = Math.exp(z[i]); l[i] = Math.log(p[i]); l1[i] = Math.log1p(-p[i]); }
for (const [n, a] of [['e', e], ['l', l], ['l1', l1]]) fs.writeFileSync(n + '.bin', Buffer.from(a.buffer));
"""

rng = np.random.default_rng(0)
z = rng.uniform(-12, 12, 200_000)
p = 1 / (1 + np.exp(-z))  # the same probabilities for both: log and log1p compared on equal arguments
with tempfile.TemporaryDirectory() as tmp:
    (Path(tmp) / "z.bin").write_bytes(z.astype("<f8").tobytes())
    (Path(tmp) / "p.bin").write_bytes(p.astype("<f8").tobytes())
    subprocess.run(["node", "-e", NODE], cwd=tmp, check=True)
    e, l, l1 = (np.fromfile(Path(tmp) / f"{n}.bin", "<f8") for n in ("e", "l", "l1"))
ulp = lambda a, b: int(np.max(np.abs(a.view(np.int64) - b.view(np.int64))))
print(f"exp:   NumPy vs V8 differ on {np.mean(np.exp(z) != e):.1%} of {z.size} arguments, at most {ulp(np.exp(z), e)} ULP")
print(f"log:   differ on {np.mean(np.log(p) != l):.1%}, at most {ulp(np.log(p), l)} ULP")
print(f"log1p: differ on {np.mean(np.log1p(-p) != l1):.1%}, at most {ulp(np.log1p(-p), l1)} ULP")
d = mnist(0)
X, W = d.X[:200], rng.standard_normal((784, 8)) * 0.01
blas = X @ W
seq = np.zeros_like(blas)
for k in range(784):  # each dot product added left to right, as math.js does
    seq += X[:, k:k + 1] * W[k]
print(f"X @ W (200×784 · 784×8, MNIST rows): BLAS vs left-to-right differ in {np.mean(blas != seq):.0%} of entries, "
      f"largest relative difference {np.max(np.abs(blas - seq) / np.abs(blas)):.2g}")
v = rng.standard_normal(1445)
s = 0.0
for x in v:
    s += x
print(f"sum of 1,445 terms: NumPy's pairwise vs sequential, {ulp(np.array([np.sum(v)]), np.array([s]))} ULP apart")
