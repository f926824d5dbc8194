export * from "./foundation-stack";
export * from "./naming";
export * from "./platform-outputs";
export * from "./platform-stack";
