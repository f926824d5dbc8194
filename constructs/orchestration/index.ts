export * from "./airflow-addon";
export * from "./airflow-config";
export * from "./airflow-database";
export * from "./airflow-values";
