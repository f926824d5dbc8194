export * from "./addon";
export * from "./alertmanager";
export * from "./config";
export * from "./serving";
export * from "./values";
