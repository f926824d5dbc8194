"""Reference drift profile of a training set (format documented in pipelines/README.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dataset import CATEGORICAL_FEATURES, NUMERIC_FEATURES

N_BINS = 10
SAMPLE_SIZE = 1000


def numeric_profile(values: np.ndarray, rng: np.random.Generator) -> dict:
    """Decile bins with open outer edges (null = -inf/+inf) and right-closed bins (a, b]."""
    values = np.asarray(values, dtype=np.float64)
    quantiles = np.quantile(values, np.linspace(0.0, 1.0, N_BINS + 1)[1:-1])
    # Integer-valued features repeat quantiles; equal edges would make empty zero-width bins.
    interior = np.unique(quantiles)
    bin_index = np.searchsorted(interior, values, side="left")
    counts = np.bincount(bin_index, minlength=len(interior) + 1)
    sample_size = min(SAMPLE_SIZE, len(values))
    sample = np.sort(values[rng.choice(len(values), size=sample_size, replace=False)])
    return {
        "type": "numeric",
        "binEdges": [None, *(float(e) for e in interior), None],
        "binFrequencies": [float(c) / len(values) for c in counts],
        "sample": [float(v) for v in sample],
    }


def categorical_profile(values: np.ndarray, categories: tuple[str, ...]) -> dict:
    total = len(values)
    return {
        "type": "categorical",
        "frequencies": {c: float(np.count_nonzero(values == c)) / total for c in categories},
    }


def build_profile(model: str, version: str, train: pd.DataFrame, scores: np.ndarray, seed: int) -> dict:
    """`scores` is the model's positive-class probability on `train`."""
    rng = np.random.default_rng(seed)
    features: dict[str, dict] = {}
    for name in NUMERIC_FEATURES:
        features[name] = numeric_profile(train[name].to_numpy(), rng)
    for name, categories in CATEGORICAL_FEATURES.items():
        features[name] = categorical_profile(train[name].to_numpy(), categories)
    return {
        "model": model,
        "version": version,
        "rows": len(train),
        "features": features,
        "prediction": numeric_profile(np.asarray(scores, dtype=np.float64), rng),
    }
