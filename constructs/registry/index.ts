export * from "./mlflow-addon";
export * from "./mlflow-config";
export * from "./mlflow-values";
