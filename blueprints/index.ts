export * from "./platform-addons";
export * from "./platform-blueprint";
