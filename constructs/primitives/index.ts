// The leaf of the layer graph: errors and schema primitives that every folder may import. Nothing here imports
// from the rest of the kit.
export * from "./arns";
export * from "./errors";
export * from "./kubernetes";
export * from "./numbers";
export * from "./rds";
export * from "./schemas";
