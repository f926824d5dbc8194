export * from "./env";
export * from "./kafka-credentials";
export * from "./network";
export * from "./serving-access";
export * from "./validate";
