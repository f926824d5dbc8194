export * from "./addon";
export * from "./config";
export * from "./opensearch";
export * from "./values";
