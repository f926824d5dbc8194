export * from "./iam-documents";
export * from "./pod-specs";
export * from "./policy-index";
export * from "./rule-pack";
export * from "./rules";
export * from "./suppressions";
export * from "./types";
