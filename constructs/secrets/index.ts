export * from "./eso-addon";
export * from "./eso-config";
export * from "./sync-secret";
