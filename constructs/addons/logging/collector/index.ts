export * from "./collector";
export * from "./config";
export * from "./ecs-record";
export * from "./fluent-bit-config";
export * from "./names";
export * from "./values";
