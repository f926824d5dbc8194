export * from "./errors";
export * from "./loader";
export * from "./primitives";
export * from "./schema";
