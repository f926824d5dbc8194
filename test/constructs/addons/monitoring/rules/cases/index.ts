import type { RuleComponent } from "../../../../../../constructs/addons/monitoring/rules";
import { GPU_CASES } from "./gpu";
import { INFERENCE_CASES } from "./inference";
import { KAFKA_CASES } from "./kafka";
import { KUBERNETES_CASES } from "./kubernetes";
import { AIRFLOW_CASES, MLFLOW_CASES } from "./services";
import type { RuleCases } from "./types";

export type { AlertCase, FiringCase, RuleCases, Series } from "./types";

/** promtool inputs per component, written against the default options. */
export const RULE_CASES: Record<RuleComponent, RuleCases> = {
  kafka: KAFKA_CASES,
  mlflow: MLFLOW_CASES,
  airflow: AIRFLOW_CASES,
  kubernetes: KUBERNETES_CASES,
  gpu: GPU_CASES,
  inference: INFERENCE_CASES,
};
