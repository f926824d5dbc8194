export * from "./kafka-addon";
export * from "./kafka-config";
export * from "./msk-cluster";
export * from "./outputs";
export * from "./strimzi-addon";
export * from "./strimzi-resources";
export * from "./topic-access";
