"""CI check: retrains every version into a temp dir and compares with the committed artifacts.

Compares metrics.json and profile.json number by number (absolute tolerance TOLERANCE), checks the
committed model.onnx signature, and runs the committed model.onnx on the regenerated hold-out set against the
regenerated sklearn probabilities, which proves the committed ONNX file is the one this script produces.
Exit code 1 with a list of differences on mismatch.

Usage: python pipelines/check_model.py [--models service/models/readmission]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

# Same single-threaded BLAS as train.py; must be set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402

import train  # noqa: E402
from dataset import CATEGORICAL_FEATURES, NUMERIC_FEATURES, generate  # noqa: E402

TOLERANCE = 1e-6
# Fields that legitimately vary between machines (BLAS kernels) or are checked differently below.
SKIP_METRICS = {("onnx", "sha256"), ("onnx", "max_abs_diff_vs_sklearn")}


def compare(expected, actual, path: str, diffs: list[str], counter: list[int], skip=frozenset()) -> None:
    """`path` is "<file>:<dotted.key>"; keys listed in `skip` (as tuples) are not compared."""
    if tuple(path.split(":", 1)[1].split(".")[1:]) in skip:
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        if set(expected) != set(actual):
            diffs.append(f"{path}: keys {sorted(expected)} != {sorted(actual)}")
            return
        for key in expected:
            compare(expected[key], actual[key], f"{path}.{key}", diffs, counter, skip)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            diffs.append(f"{path}: length {len(expected)} != {len(actual)}")
            return
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            compare(e, a, f"{path}[{i}]", diffs, counter, skip)
    elif isinstance(expected, (int, float)) and isinstance(actual, (int, float)) and not isinstance(expected, bool):
        counter[0] += 1
        if abs(float(expected) - float(actual)) > TOLERANCE:
            diffs.append(f"{path}: committed {expected} != regenerated {actual}")
    else:
        counter[0] += 1
        if expected != actual:
            diffs.append(f"{path}: committed {expected!r} != regenerated {actual!r}")


def check_signature(session: ort.InferenceSession, version: str, diffs: list[str]) -> None:
    inputs = [(i.name, i.type, i.shape[1]) for i in session.get_inputs()]
    want = [(n, "tensor(float)", 1) for n in NUMERIC_FEATURES] + [
        (n, "tensor(string)", 1) for n in CATEGORICAL_FEATURES
    ]
    if inputs != want:
        diffs.append(f"v{version} model.onnx inputs {inputs} != {want}")
    outputs = [(o.name, o.type) for o in session.get_outputs()]
    if outputs != [("label", "tensor(int64)"), ("probabilities", "tensor(float)")]:
        diffs.append(f"v{version} model.onnx outputs {outputs} are not label int64 + probabilities float")


def check_version(version: str, cfg: dict, committed_dir: Path, fresh_dir: Path) -> list[str]:
    diffs: list[str] = []
    counter = [0]
    for name, skip in (("metrics.json", SKIP_METRICS), ("profile.json", frozenset()), ("example.json", frozenset())):
        expected = json.loads((committed_dir / version / name).read_text())
        actual = json.loads((fresh_dir / version / name).read_text())
        before = counter[0]
        compare(expected, actual, f"{name}:", diffs, counter, skip)
        print(f"  v{version} {name}: compared {counter[0] - before} values (tolerance {TOLERANCE})")
        if name == "metrics.json":
            same = expected["onnx"]["sha256"] == actual["onnx"]["sha256"]
            print(f"  v{version} model.onnx sha256 {'identical' if same else 'differs (BLAS?); outputs compared below'}")

    session = ort.InferenceSession(str(committed_dir / version / "model.onnx"), providers=["CPUExecutionProvider"])
    check_signature(session, version, diffs)
    fresh = ort.InferenceSession(str(fresh_dir / version / "model.onnx"), providers=["CPUExecutionProvider"])
    data = generate(cfg["rows"], cfg["data_seed"] + 99)
    feeds = train.onnx_feeds(data)
    committed_proba = session.run(["probabilities"], feeds)[0]
    fresh_proba = fresh.run(["probabilities"], feeds)[0]
    max_diff = float(np.max(np.abs(committed_proba - fresh_proba)))
    print(f"  v{version} model.onnx: {len(data)} fresh rows, max |committed - regenerated| probability = {max_diff:.2e}")
    if max_diff > train.MAX_ONNX_DIFF:
        diffs.append(f"v{version} model.onnx: probabilities differ from a regenerated model by {max_diff}")
    size = (committed_dir / version / "model.onnx").stat().st_size
    if size > 1_000_000:
        diffs.append(f"v{version} model.onnx: {size} bytes, expected < 1 MB")
    return diffs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", default=str(Path(__file__).resolve().parent.parent / "service/models/readmission"))
    args = parser.parse_args(argv)
    committed = Path(args.models)
    diffs: list[str] = []
    with tempfile.TemporaryDirectory(prefix="readmission-check-") as tmp:
        train.main(["--out", tmp])
        for version, cfg in train.VERSIONS.items():
            diffs += check_version(version, cfg, committed, Path(tmp))
    if diffs:
        print(f"check_model: {len(diffs)} difference(s):", file=sys.stderr)
        for d in diffs[:50]:
            print(f"  {d}", file=sys.stderr)
        return 1
    print("check_model: committed readmission artifacts match a fresh retrain")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
