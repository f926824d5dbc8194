import path from "node:path";
import { fileURLToPath } from "node:url";

/** The committed model repository (`readmission/{1,2}/model.onnx`, profile and examples) and its features. */
export const MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../models");
export const MODEL = "readmission";

/** Numeric features, FP32 `[N,1]` inputs, in the model's input order (pipelines/dataset.py). */
export const NUMERIC = [
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
] as const;

/** Categorical features, BYTES `[N,1]` inputs, with their categories. */
export const CATEGORICAL = {
  admission_type: ["emergency", "urgent", "elective", "trauma"],
  discharge_disposition: ["home", "home_health", "skilled_nursing", "rehab", "other"],
} as const;
