export * from "../constructs/primitives";
export * from "./loader";
export * from "./schema";
