export * from "./addon";
export * from "./config";
export * from "./msk-access";
export * from "./msk-cluster";
export * from "./outputs";
export * from "./strimzi";
export * from "./strimzi-resources";
export * from "./topic-access";
