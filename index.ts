/**
 * The package's main entry point: the blueprint, the configuration schema and loader, and the stacks. The
 * constructs have their own entry points per domain (`mlops-platform-kit/constructs/<domain>`), so an app that
 * composes one construct does not load every add-on.
 */
export * from "./blueprints";
export * from "./config";
export * from "./stacks";
