export * from "./aws-context";
export * from "./charts";
export * from "./kms-key";
export * from "./stateful";
export * from "./tags";
