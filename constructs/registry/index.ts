export * from "./container-repository";
export * from "./github-oidc";
export * from "./registry";
