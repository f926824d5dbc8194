export * from "./addon";
export * from "./config";
export * from "./migration";
export * from "./values";
