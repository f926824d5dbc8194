export * from "./aws-context";
export * from "./kms-key";
export * from "./stateful";
export * from "./tags";
