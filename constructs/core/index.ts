export * from "./aws-context";
export * from "./charts";
export * from "./instance-types";
export * from "./kms-key";
export * from "./state-backend";
export * from "./stateful";
export * from "./tags";
