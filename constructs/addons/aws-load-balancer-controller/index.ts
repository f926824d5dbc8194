export * from "./addon";
export * from "./config";
export * from "./iam-policy";
export * from "./values";
