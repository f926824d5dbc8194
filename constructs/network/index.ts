export * from "./cidr";
export * from "./network";
export * from "./network-props";
export * from "./vpc-endpoints";
export * from "./vpc-flow-log";
