export * from "./container-repository";
export * from "./registry";
