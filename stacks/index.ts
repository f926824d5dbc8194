export * from "./foundation-stack";
export * from "./naming";
export * from "./output-names";
export * from "./platform-outputs";
export * from "./platform-reference";
export * from "./platform-stack";
export * from "./team-stack";
