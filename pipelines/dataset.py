"""Deterministic synthetic dataset for the 30-day readmission model.

Every value is drawn from a seeded numpy Generator, so the same seed gives byte-identical data on any
machine. Numeric values are rounded to float32-representable numbers because the served model receives
FP32 tensors: training on exactly what the service will see keeps sklearn and ONNX outputs comparable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NUMERIC_FEATURES: tuple[str, ...] = (
    "age",
    "num_prior_admissions",
    "length_of_stay_days",
    "num_medications",
    "num_lab_procedures",
    "num_diagnoses",
    "hba1c",
    "bmi",
    "systolic_bp",
    "creatinine",
)
CATEGORICAL_FEATURES: dict[str, tuple[str, ...]] = {
    "admission_type": ("emergency", "urgent", "elective", "trauma"),
    "discharge_disposition": ("home", "home_health", "skilled_nursing", "rehab", "other"),
}
LABEL = "readmitted_30d"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def generate(n_rows: int, seed: int) -> pd.DataFrame:
    """Returns `n_rows` patients with the 12 features and a 0/1 label column `readmitted_30d`."""
    rng = np.random.default_rng(seed)
    admission = rng.choice(CATEGORICAL_FEATURES["admission_type"], size=n_rows, p=[0.52, 0.2, 0.24, 0.04])
    acute = np.isin(admission, ["emergency", "trauma"]).astype(float)

    age = np.clip(np.round(rng.normal(64.0, 15.0, n_rows)), 18, 100)
    prior = rng.poisson(np.clip(0.6 + 0.025 * (age - 50.0), 0.2, None))
    los = np.clip(np.round(rng.lognormal(np.log(3.5) + 0.25 * acute, 0.6, n_rows)), 1, 45)
    meds = np.clip(rng.poisson(12.0 + 0.12 * (age - 60.0).clip(0) + 0.8 * los), 1, 80)
    labs = np.clip(np.round(rng.normal(43.0 + 1.5 * los, 18.0, n_rows)), 1, 140)
    diagnoses = np.clip(rng.poisson(5.5 + 0.04 * (age - 50.0).clip(0)), 1, 16)
    hba1c = np.clip(np.round(rng.normal(6.3, 1.2, n_rows) + 0.2 * rng.exponential(1.0, n_rows), 1), 4.0, 14.0)
    bmi = np.clip(np.round(rng.normal(29.0, 6.0, n_rows), 1), 15.0, 60.0)
    systolic = np.clip(np.round(rng.normal(128.0 + 0.25 * (age - 60.0), 17.0, n_rows)), 80, 220)
    creatinine = np.clip(np.round(rng.lognormal(np.log(0.95) + 0.004 * (age - 60.0), 0.35, n_rows), 2), 0.3, 9.0)

    # Older patients with long stays go home less often.
    frailty = 0.03 * (age - 64.0) + 0.15 * (los - 4.0)
    base = np.array([1.4, 0.2, -0.3, -0.6, -1.0])
    slope = np.array([-0.6, 0.0, 0.6, 0.4, 0.1])
    logits = base[None, :] + frailty[:, None] * slope[None, :] + rng.gumbel(size=(n_rows, 5))
    disposition = np.asarray(CATEGORICAL_FEATURES["discharge_disposition"])[np.argmax(logits, axis=1)]

    admission_effect = {"emergency": 0.35, "urgent": 0.15, "elective": -0.45, "trauma": 0.25}
    disposition_effect = {"home": -0.3, "home_health": 0.1, "skilled_nursing": 0.45, "rehab": 0.2, "other": 0.3}
    logit = (
        -2.0
        + 0.018 * (age - 64.0)
        + 0.38 * prior
        + 0.05 * (los - 4.0)
        + 0.025 * (meds - 15.0)
        + 0.006 * (labs - 48.0)
        + 0.07 * (diagnoses - 6.0)
        + 0.22 * (hba1c - 6.5)
        + 0.012 * (bmi - 29.0)
        + 0.004 * (systolic - 128.0)
        + 0.9 * np.log(creatinine)
        + np.vectorize(admission_effect.get)(admission)
        + np.vectorize(disposition_effect.get)(disposition)
        # A mild interaction so a non-linear model has something to find.
        + 0.25 * (prior >= 3) * (hba1c > 8.0)
    )
    label = (rng.random(n_rows) < _sigmoid(logit)).astype(np.int64)

    numeric = {
        "age": age,
        "num_prior_admissions": prior,
        "length_of_stay_days": los,
        "num_medications": meds,
        "num_lab_procedures": labs,
        "num_diagnoses": diagnoses,
        "hba1c": hba1c,
        "bmi": bmi,
        "systolic_bp": systolic,
        "creatinine": creatinine,
    }
    frame = pd.DataFrame(
        {name: np.asarray(values, dtype=np.float32).astype(np.float64) for name, values in numeric.items()}
    )
    frame["admission_type"] = admission.astype(object)
    frame["discharge_disposition"] = disposition.astype(object)
    frame[LABEL] = label
    return frame
