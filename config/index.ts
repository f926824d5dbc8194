export * from "../constructs/primitives";
export * from "./loader";
export * from "./presets";
export * from "./schema";
export * from "./teams";
