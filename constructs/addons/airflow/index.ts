export * from "./addon";
export * from "./config";
export * from "./database";
export * from "./values";
export * from "./values-check";
