"""Trains the "readmission" model versions, exports ONNX and writes profile.json and metrics.json.

Usage: python pipelines/train.py [--out service/models/readmission]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import warnings
from pathlib import Path

# Single-threaded BLAS keeps floating-point reductions in a fixed order, so retraining is reproducible.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
from skl2onnx import convert_sklearn  # noqa: E402
from skl2onnx.common.data_types import FloatTensorType, StringTensorType  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

from dataset import CATEGORICAL_FEATURES, LABEL, NUMERIC_FEATURES, generate  # noqa: E402
from profile_builder import build_profile  # noqa: E402

MODEL_NAME = "readmission"
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
# Version 2 differs in data seed and architecture so hot-swap tests see different outputs.
VERSIONS: dict[str, dict] = {
    "1": {"data_seed": 20261126, "model_seed": 7, "rows": 20000, "hidden": (8,), "alpha": 30.0},
    "2": {"data_seed": 20261127, "model_seed": 11, "rows": 20000, "hidden": (16,), "alpha": 30.0},
}
HOLDOUT_FRACTION = 0.25
MAX_ONNX_DIFF = 1e-5
EXAMPLE_ROWS = 5
# Strong L2 (alpha) with lbfgs converges well before this cap, which keeps retraining reproducible.
MAX_ITER = 300


def make_pipeline(hidden: tuple[int, ...], alpha: float, seed: int) -> Pipeline:
    pre = ColumnTransformer(
        [
            ("num", StandardScaler(), list(NUMERIC_FEATURES)),
            (
                "cat",
                OneHotEncoder(categories=[list(c) for c in CATEGORICAL_FEATURES.values()], handle_unknown="ignore"),
                list(CATEGORICAL_FEATURES),
            ),
        ]
    )
    clf = MLPClassifier(hidden_layer_sizes=hidden, alpha=alpha, solver="lbfgs", max_iter=MAX_ITER, random_state=seed)
    return Pipeline([("pre", pre), ("clf", clf)])


def onnx_feeds(frame) -> dict[str, np.ndarray]:
    feeds = {name: frame[name].to_numpy(dtype=np.float32).reshape(-1, 1) for name in NUMERIC_FEATURES}
    for name in CATEGORICAL_FEATURES:
        feeds[name] = frame[name].to_numpy(dtype=object).reshape(-1, 1)
    return feeds


def dump_json(path: Path, value: dict) -> None:
    """Indented at the top two levels, long arrays kept on one line, so diffs stay readable."""

    def render(v, depth: int) -> str:
        if isinstance(v, dict) and depth < 2:
            pad = "  " * (depth + 1)
            items = ",\n".join(f"{pad}{json.dumps(k)}: {render(x, depth + 1)}" for k, x in v.items())
            return "{\n" + items + "\n" + "  " * depth + "}"
        return json.dumps(v, separators=(", ", ": "), allow_nan=False)

    path.write_text(render(value, 0) + "\n", encoding="utf-8")


def train_version(version: str, cfg: dict, out_dir: Path) -> dict:
    data = generate(cfg["rows"], cfg["data_seed"])
    split_rng = np.random.default_rng(cfg["data_seed"] + 1)
    is_holdout = split_rng.random(len(data)) < HOLDOUT_FRACTION
    train, holdout = data[~is_holdout].reset_index(drop=True), data[is_holdout].reset_index(drop=True)
    features = [*NUMERIC_FEATURES, *CATEGORICAL_FEATURES]

    pipe = make_pipeline(cfg["hidden"], cfg["alpha"], cfg["model_seed"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(train[features], train[LABEL])

    initial_types = [(n, FloatTensorType([None, 1])) for n in NUMERIC_FEATURES]
    initial_types += [(n, StringTensorType([None, 1])) for n in CATEGORICAL_FEATURES]
    onx = convert_sklearn(
        pipe,
        name=MODEL_NAME,
        initial_types=initial_types,
        options={id(pipe.named_steps["clf"]): {"zipmap": False}},
        target_opset=TARGET_OPSET,
    )
    model_bytes = onx.SerializeToString()

    proba = pipe.predict_proba(holdout[features])[:, 1]
    session = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    onnx_label, onnx_proba = session.run(["label", "probabilities"], onnx_feeds(holdout))
    max_diff = float(np.max(np.abs(onnx_proba[:, 1] - proba)))
    label_mismatches = int(np.count_nonzero(onnx_label != pipe.predict(holdout[features])))
    if max_diff > MAX_ONNX_DIFF:
        raise SystemExit(f"version {version}: ONNX probabilities differ from sklearn by {max_diff} > {MAX_ONNX_DIFF}")

    target = out_dir / version
    target.mkdir(parents=True, exist_ok=True)
    (target / "model.onnx").write_bytes(model_bytes)

    # Rounded through float32 like the served model's FP32 output, so reference and live scores compare alike.
    train_scores = pipe.predict_proba(train[features])[:, 1].astype(np.float32).astype(np.float64)
    dump_json(target / "profile.json", build_profile(MODEL_NAME, version, train, train_scores, cfg["data_seed"] + 2))

    metrics = {
        "model": MODEL_NAME,
        "version": version,
        "seeds": {"data": cfg["data_seed"], "model": cfg["model_seed"], "split": cfg["data_seed"] + 1},
        "hyperparameters": {
            "classifier": "MLPClassifier",
            "hidden_layer_sizes": list(cfg["hidden"]),
            "alpha": cfg["alpha"],
            "solver": "lbfgs",
            "max_iter": MAX_ITER,
            "iterations": int(pipe.named_steps["clf"].n_iter_),
        },
        "rows": {"total": len(data), "train": len(train), "holdout": len(holdout)},
        "positive_rate": {"train": float(train[LABEL].mean()), "holdout": float(holdout[LABEL].mean())},
        "holdout": {
            "accuracy": float(accuracy_score(holdout[LABEL], pipe.predict(holdout[features]))),
            "auc": float(roc_auc_score(holdout[LABEL], proba)),
            "log_loss": float(log_loss(holdout[LABEL], proba)),
        },
        "onnx": {
            "bytes": len(model_bytes),
            "sha256": hashlib.sha256(model_bytes).hexdigest(),
            "opset": TARGET_OPSET,
            "max_abs_diff_vs_sklearn": max_diff,
            "label_mismatches_vs_sklearn": label_mismatches,
        },
    }
    dump_json(target / "metrics.json", metrics)

    # A few hold-out rows with onnxruntime's outputs, for service tests that need known answers.
    rows = holdout.head(EXAMPLE_ROWS)
    ex_label, ex_proba = session.run(["label", "probabilities"], onnx_feeds(rows))
    example = {
        "inputs": {n: [float(v) for v in rows[n]] for n in NUMERIC_FEATURES}
        | {n: [str(v) for v in rows[n]] for n in CATEGORICAL_FEATURES},
        "outputs": {"label": [int(v) for v in ex_label], "probabilities": [[float(p) for p in r] for r in ex_proba]},
    }
    dump_json(target / "example.json", example)
    return metrics


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "service/models/readmission"))
    args = parser.parse_args(argv)
    out_dir = Path(args.out)
    for version, cfg in VERSIONS.items():
        m = train_version(version, cfg, out_dir)
        print(
            f"readmission v{version}: accuracy={m['holdout']['accuracy']:.4f} auc={m['holdout']['auc']:.4f} "
            f"log_loss={m['holdout']['log_loss']:.4f} onnx={m['onnx']['bytes']} B "
            f"max|onnx-sklearn|={m['onnx']['max_abs_diff_vs_sklearn']:.2e} -> {out_dir / version}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
