export * from "./access-log-bucket";
export * from "./data-lake";
export * from "./data-lake-bucket";
export * from "./grants";
export * from "./lake-formation-registration";
export * from "./naming";
export * from "./request-metrics";
