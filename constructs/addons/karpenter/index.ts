export * from "./addon";
export * from "./aws-resources";
export * from "./discovery";
export * from "./node-class";
export * from "./node-pool";
export * from "./pool-options";
export * from "./pool-validation";
export * from "./values";
