"""SciPy reference values for the TypeScript drift statistics (service/src/drift).

Writes service/test/fixtures/drift/{ks_2samp,kstwo,chisquare,psi,corrections}.json from seeded data, and
monitor_stream.json: live traffic for the DriftMonitor tests, drawn from the training data generator with
new seeds (unshifted) and with a deliberate shift, scored by the committed readmission v1 model.
With --check DIR it recomputes everything and compares with the files in DIR instead of writing.

Usage: python pipelines/drift_fixtures.py [--out DIR | --check DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import scipy
from scipy import special, stats

from dataset import CATEGORICAL_FEATURES, NUMERIC_FEATURES, generate

SEED = 4242
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "service/test/fixtures/drift"
MODEL = ROOT / "service/models/readmission/1/model.onnx"
STREAM_ROWS = 2000


def _r(values: np.ndarray, decimals: int = 4) -> list[float]:
    # Rounded so fixtures stay small; ties this creates are part of what the tests exercise.
    return [float(v) for v in np.round(np.asarray(values, dtype=np.float64), decimals)]


def ks_cases(rng: np.random.Generator) -> list[dict]:
    specs: list[tuple[str, np.ndarray, np.ndarray]] = []
    norm = rng.normal
    specs += [
        ("equal n=5 unshifted", norm(0, 1, 5), norm(0, 1, 5)),
        ("equal n=10 shifted", norm(0, 1, 10), norm(1.5, 1, 10)),
        ("equal n=20 unshifted", norm(0, 1, 20), norm(0, 1, 20)),
        ("equal n=200 small shift", norm(0, 1, 200), norm(0.2, 1, 200)),
        ("equal n=1000 unshifted", norm(0, 1, 1000), norm(0, 1, 1000)),
        ("equal n=1000 shifted", norm(0, 1, 1000), norm(0.5, 1, 1000)),
        ("unequal 7 vs 13", norm(0, 1, 7), norm(0.3, 1, 13)),
        ("unequal 30 vs 45 scale", norm(0, 1, 30), norm(0, 2, 45)),
        ("unequal 100 vs 37", norm(0, 1, 100), norm(0, 1, 37)),
        ("unequal 600 vs 400 (gcd 200)", norm(0, 1, 600), norm(0.1, 1, 400)),
        ("unequal 999 vs 1000 (gcd 1)", norm(0, 1, 999), norm(0.15, 1, 1000)),
        ("reference 1000 vs window 500 unshifted", norm(0, 1, 1000), norm(0, 1, 500)),
        ("reference 1000 vs window 500 shifted", norm(0, 1, 1000), norm(0.3, 1, 500)),
        ("reference 1000 vs window 2000 shifted", norm(0, 1, 1000), norm(0.1, 1.1, 2000)),
        ("ties poisson 50 vs 80", rng.poisson(2.0, 50).astype(float), rng.poisson(2.0, 80).astype(float)),
        ("ties poisson 200 vs 200 shifted", rng.poisson(2.0, 200).astype(float), rng.poisson(2.6, 200).astype(float)),
        ("ties integers 1000 vs 300", rng.integers(0, 5, 1000).astype(float), rng.integers(0, 6, 300).astype(float)),
        ("identical samples", np.arange(20.0), np.arange(20.0)),
        ("separated samples 40 vs 60", norm(0, 1, 40), norm(10, 1, 60)),
        ("separated samples 300 vs 300", norm(0, 1, 300), norm(10, 1, 300)),
        ("single value each", np.array([1.0]), np.array([2.0])),
        ("asymp 10001 vs 60", norm(0, 1, 10001), norm(0.2, 1, 60)),
        ("asymp 10001 vs 140 unshifted", norm(0, 1, 10001), norm(0, 1, 140)),
        ("asymp 12000 vs 300", norm(0, 1, 12000), norm(0.1, 1, 300)),
        ("asymp 12000 vs 3000 shifted", norm(0, 1, 12000), norm(0.3, 1, 3000)),
        ("asymp 12000 vs 3000 unshifted", norm(0, 1, 12000), norm(0, 1, 3000)),
    ]
    cases = []
    for name, a, b in specs:
        a, b = _r(a), _r(b)
        res = stats.ks_2samp(a, b)
        method = "exact" if max(len(a), len(b)) <= 10000 else "asymp"
        cases.append(
            {"name": name, "a": a, "b": b, "statistic": float(res.statistic), "pvalue": float(res.pvalue), "method": method}
        )
    return cases


def kstwo_cases() -> list[dict]:
    cases = []
    for n in (1, 2, 3, 5, 10, 25, 50, 100, 140, 141, 300, 1000, 5000, 20000, 100000, 150000):
        xs = {0.3 / n, 0.75 / n, 1.0 / n, 1.5 / n}
        for nx2 in (0.05, 0.3, 0.6, 0.75, 0.76, 1.0, 1.5, 2.1, 2.3, 3.0, 3.9, 4.1, 8.0, 18.5, 50.0, 369.0, 371.0):
            xs.add(float(np.sqrt(nx2 / n)))
        xs.update({0.5, 0.7, 0.95, 1 - 1.5 / n})
        for x in sorted(xs):
            if 0 < x < 1:
                cases.append({"n": n, "x": float(x), "sf": float(stats.kstwo.sf(x, n))})
    return cases


def chisquare_cases(rng: np.random.Generator) -> dict:
    cases = []
    probs = [
        ("uniform 4", np.full(4, 0.25)),
        ("admission_type-like", np.array([0.52, 0.2, 0.24, 0.04])),
        ("rare categories", np.array([0.6, 0.3, 0.07, 0.02, 0.01])),
        ("two categories", np.array([0.9, 0.1])),
        ("twelve categories", rng.dirichlet(np.ones(12))),
    ]
    for name, p in probs:
        for n, shift in ((50, False), (500, False), (500, True), (5000, True), (20000, False)):
            q = p if not shift else np.roll(p, 1) * 0.5 + p * 0.5
            obs = rng.multinomial(n, q / q.sum()).astype(float)
            exp = p * n
            res = stats.chisquare(obs, exp)
            cases.append(
                {
                    "name": f"{name} n={n}{' shifted' if shift else ''}",
                    "observed": [float(v) for v in obs],
                    "expected": [float(v) for v in exp],
                    "statistic": float(res.statistic),
                    "pvalue": float(res.pvalue),
                }
            )
    # The special function alone, over a grid that covers both evaluation branches and tiny tails.
    gamma = []
    for a in (0.5, 1.0, 1.5, 2.0, 4.5, 10.0, 50.0, 250.0):
        for x in (1e-3, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0, 300.0, 600.0):
            gamma.append({"a": a, "x": x, "q": float(special.gammaincc(a, x))})
    return {"cases": cases, "gammaincc": gamma}


def psi_cases(rng: np.random.Generator) -> list[dict]:
    eps = 1e-4
    cases = []
    ref = rng.normal(0, 1, 5000)
    ints = rng.poisson(1.5, 5000).astype(float)
    for name, reference, live in (
        ("normal unshifted", ref, rng.normal(0, 1, 800)),
        ("normal shifted", ref, rng.normal(0.5, 1.2, 800)),
        ("poisson ties", ints, rng.poisson(2.5, 800).astype(float)),
        ("empty live bins", ref, rng.normal(3, 0.2, 200)),
    ):
        interior = np.unique(np.quantile(reference, np.linspace(0, 1, 11)[1:-1]))
        expected = np.bincount(np.searchsorted(interior, reference, side="left"), minlength=len(interior) + 1)
        expected = expected / expected.sum()
        live = np.asarray(_r(live))
        counts = np.bincount(np.searchsorted(interior, live, side="left"), minlength=len(interior) + 1)
        a = np.maximum(counts / counts.sum(), eps)
        e = np.maximum(expected, eps)
        cases.append(
            {
                "name": name,
                "interior": [float(v) for v in interior],
                "expected": [float(v) for v in expected],
                "live": [float(v) for v in live],
                "counts": [int(c) for c in counts],
                "psi": float(np.sum((a - e) * np.log(a / e))),
            }
        )
    return cases


def correction_cases(rng: np.random.Generator) -> list[dict]:
    cases = []
    for name, p in (
        ("uniform 12", rng.random(12)),
        ("some small", np.concatenate([rng.random(8), [1e-6, 2e-4, 0.003, 0.04]])),
        ("with ties", np.array([0.01, 0.01, 0.04, 0.04, 0.2, 0.5, 0.5, 1.0])),
        ("single", np.array([0.03])),
    ):
        cases.append(
            {
                "name": name,
                "p": [float(v) for v in p],
                "bonferroni": [float(v) for v in np.minimum(p * len(p), 1.0)],
                "bh": [float(v) for v in stats.false_discovery_control(p, method="bh")],
            }
        )
    return cases


def _stream(frame, session: ort.InferenceSession) -> dict:
    feeds = {n: frame[n].to_numpy(dtype=np.float32).reshape(-1, 1) for n in NUMERIC_FEATURES}
    feeds |= {n: frame[n].to_numpy(dtype=object).reshape(-1, 1) for n in CATEGORICAL_FEATURES}
    labels, proba = session.run(["label", "probabilities"], feeds)
    features = {n: [float(v) for v in feeds[n][:, 0]] for n in NUMERIC_FEATURES}
    features |= {n: [str(v) for v in frame[n]] for n in CATEGORICAL_FEATURES}
    return {"features": features, "scores": [float(p) for p in proba[:, 1]], "labels": [int(v) for v in labels]}


def monitor_streams() -> dict:
    """Unshifted: the training generator with a new seed. Shifted: older, worse-controlled diabetic patients
    admitted more often as emergencies; every other feature keeps its generating process."""
    session = ort.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"])
    unshifted = generate(STREAM_ROWS, 777)
    shifted = generate(STREAM_ROWS, 778)
    shifted["age"] = np.clip(shifted["age"] + 12, 18, 100)
    shifted["hba1c"] = np.round(shifted["hba1c"] * 1.2, 1).astype(np.float32).astype(np.float64)
    rng = np.random.default_rng(779)
    flip = (shifted["admission_type"] != "emergency") & (rng.random(STREAM_ROWS) < 0.5)
    shifted.loc[flip, "admission_type"] = "emergency"
    # A category the model has never seen: it must not break the monitor, and it should show in PSI.
    shifted.loc[rng.random(STREAM_ROWS) < 0.02, "discharge_disposition"] = "hospice"
    return {
        "model": "readmission",
        "version": "1",
        "shiftedFeatures": ["age", "hba1c", "admission_type"],
        "unshifted": _stream(unshifted, session),
        "shifted": _stream(shifted, session),
    }


def build() -> dict[str, dict]:
    rng = np.random.default_rng(SEED)
    meta = {"generator": "pipelines/drift_fixtures.py", "seed": SEED, "scipy": scipy.__version__, "numpy": np.__version__}
    return {
        "ks_2samp.json": {**meta, "cases": ks_cases(rng)},
        "kstwo.json": {**meta, "cases": kstwo_cases()},
        "chisquare.json": {**meta, **chisquare_cases(rng)},
        "psi.json": {**meta, "epsilon": 1e-4, "cases": psi_cases(rng)},
        "corrections.json": {**meta, "cases": correction_cases(rng)},
        "monitor_stream.json": {**meta, "rows": STREAM_ROWS, **monitor_streams()},
    }


def _differences(expected, actual, path: str) -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        if set(expected) != set(actual):
            return [f"{path}: keys differ"]
        return [d for k in expected for d in _differences(expected[k], actual[k], f"{path}.{k}")]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: length {len(expected)} != {len(actual)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for d in _differences(e, a, f"{path}[{i}]")]
    if isinstance(expected, float) or isinstance(actual, float):
        if abs(float(expected) - float(actual)) <= 1e-12 * max(1.0, abs(float(expected))):
            return []
        return [f"{path}: committed {expected} != recomputed {actual}"]
    return [] if expected == actual else [f"{path}: committed {expected!r} != recomputed {actual!r}"]


def serialize(value: dict) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--out", default=str(DEFAULT_DIR))
    group.add_argument("--check")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        failed = 0
        for name, content in files.items():
            path = Path(args.check) / name
            cases = len(content.get("cases", [])) + len(content.get("gammaincc", [])) + content.get("rows", 0)
            if not path.exists():
                print(f"  {name}: missing in {args.check}")
                failed += 1
                continue
            committed = path.read_text(encoding="utf-8")
            if committed == serialize(content):
                verdict = "identical"
            else:
                # Another CPU's libm or BLAS may move the last bits; the TS tests need 1e-9, this allows 1e-12.
                diffs = _differences(json.loads(committed), json.loads(serialize(content)), name)
                verdict = "equal within 1e-12" if not diffs else f"DIFFERENT ({len(diffs)}): " + "; ".join(diffs[:5])
                failed += 1 if diffs else 0
            print(f"  {name}: {cases} cases/rows recomputed with SciPy {scipy.__version__}: {verdict}")
        if failed:
            print(f"drift_fixtures: {failed} file(s) differ from {args.check}; rerun without --check", file=sys.stderr)
            return 1
        print("drift_fixtures: committed fixtures match SciPy")
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_text(serialize(content), encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
