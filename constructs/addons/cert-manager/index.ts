export * from "./addon";
export * from "./config";
export * from "./values";
