export * from "./addon-database";
export * from "./postgres-app-user";
export * from "./rds-database";
export * from "./rds-validation";
