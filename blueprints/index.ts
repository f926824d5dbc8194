export * from "./platform-addons";
export * from "./platform-blueprint";
export * from "./synth-traces";
