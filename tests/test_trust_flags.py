"""Flags that would make a check vacuous, or crash late, are refused up front: one line naming the flag,
exit 2, no traceback, nothing run (issue 9, finding 6)."""

from __future__ import annotations

import json

import pytest

from crosscheck.cli import build_parser, main
from crosscheck.parity.cases import CaseFileError, load_case_file


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


BAD = [
    (("--atol", "inf"), "--atol"),
    (("--atol", "-1e-15"), "--atol"),
    (("--rtol", "-1"), "--rtol"),
    (("--rtol", "nan"), "--rtol"),
    (("--rtol", "lots"), "--rtol"),
    (("--boot-timeout", "0"), "--boot-timeout"),
    (("--run-timeout", "-3"), "--run-timeout"),
    (("--run-timeout", "inf"), "--run-timeout"),
    (("--seed", "-5"), "--seed"),
    (("--random", "100000000"), "--random"),
    (("--random", "-1"), "--random"),
    (("--batch-size", "0"), "--batch-size"),
    (("--json", "/nonexistent/dir/r.json"), "--json"),
    (("--runtimes", "native,no-such-runtime"), "--runtimes"),
    (("train", "xor", "--epochs", "0"), "--epochs"),
    (("train", "xor", "--learning-rate", "nan"), "--learning-rate"),
    (("train", "xor", "--atol", "inf"), "--atol"),
    (("train", "xor", "--seed", "-1"), "--seed"),
    (("train", "xor", "--json", "/nonexistent/dir/t.json"), "--json"),
    (("train", "digits", "--idx-dir", "/nonexistent/idx"), "--idx-dir"),
    (("bench", "--lesson-cases", "0"), "--lesson-cases"),
    (("bench", "--big-cases", "100000000"), "--big-cases"),
    (("bench", "--batch-size", "-2"), "--batch-size"),
    (("bench", "--json", "/nonexistent/dir/b.json"), "--json"),
    (("bench", "--runtimes", ","), "--runtimes"),
    (("bench", "--runtimes", "native,no-such-runtime"), "--runtimes"),
    (("bench-training", "--repeats", "0"), "--repeats"),
    (("bench-pages", "--repeats", "0"), "--repeats"),
    (("bench-pages", "--timeout", "0"), "--timeout"),
    (("bench-pages", "--json", "/nonexistent/dir/p.json"), "--json"),
    (("build-site", "--out", "/etc/hostname"), "--out"),
    (("serve", "--port", "70000"), "--port"),
    (("serve", "--port", "-1"), "--port"),
    (("serve", "--root", "/nonexistent/site"), "--root"),
]


SUBCOMMANDS = ("train", "bench", "bench-training", "bench-pages", "serve", "build-site")


@pytest.mark.parametrize("argv,flag", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_a_bad_value_is_one_line_naming_the_flag(capsys, argv, flag):
    if argv[0] not in SUBCOMMANDS and flag != "--runtimes":
        argv = ("--runtimes", "native,js-node", *argv)  # were the value let through, the run stays short
    code, out, err = cli(capsys, *argv)
    assert code == 2, (code, out, err)
    assert out == "" and "PARITY" not in out  # nothing ran
    assert len(err.strip().splitlines()) == 1 and flag in err and "Traceback" not in err, err


def test_case_naming_a_folder_or_a_missing_file(capsys, tmp_path):
    for target in (tmp_path, tmp_path / "absent.json"):
        code, out, err = cli(capsys, "--case", str(target))
        assert code == 2 and out == "" and "--case" in err and len(err.strip().splitlines()) == 1, err
    with pytest.raises(CaseFileError, match="is a folder"):
        load_case_file(tmp_path)


def test_a_case_array_larger_than_the_cap_is_refused(tmp_path):
    from crosscheck.parity.cases import MAX_ARRAY_ELEMENTS
    n = int(MAX_ARRAY_ELEMENTS ** 0.5) + 1   # an n×n weight matrix just over the cap
    spec = {"activation": "linear", "weights": [[0.0] * n] * n, "biases": [[0.0] * n], "inputs": [[0.0] * n],
            "upstream": [[0.0] * n]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps([spec]))
    with pytest.raises(CaseFileError, match=f"weights has {n * n:,} elements; an array may hold at most"):
        load_case_file(path)


def test_the_json_folder_is_checked_before_any_runtime_starts(capsys, tmp_path):
    code, out, err = cli(capsys, "--runtimes", "native,js-node", "--json", str(tmp_path))
    assert code == 2 and out == "" and "is a folder" in err, err


@pytest.mark.parametrize("content", ["{}", "[]", '{"runtimes": {"a": {"ok": true}}, "cases": [{"spec": {}}]}', "nope"])
@pytest.mark.parametrize("command", ["tally", "explain"])
def test_tally_and_explain_refuse_what_is_not_a_report(capsys, tmp_path, content, command):
    path = tmp_path / "r.json"
    path.write_text(content)
    code, out, err = cli(capsys, command, str(path))
    assert code == 2 and out == "" and str(path) in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_good_values_still_parse():
    args = build_parser().parse_args(["run", "--atol", "0", "--rtol", "1e-9", "--boot-timeout", "0.5",
                                      "--random", "300", "--seed", "12345678901234"])
    assert (args.atol, args.rtol, args.boot_timeout, args.random, args.seed) == (0.0, 1e-9, 0.5, 300, 12345678901234)
