export * from "./rds-database";
export * from "./rds-validation";
