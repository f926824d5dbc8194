export * from "./addon";
export * from "./config";
export * from "./definition";
export * from "./kserve";
export * from "./pod";
export * from "./seldon";
export * from "./traffic";
export * from "./values";
