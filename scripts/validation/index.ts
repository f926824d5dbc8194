export { createAjv, re2ToJs, type SchemaIssue } from "./ajv";
export { coreKinds, isCoreKind, validateCoreObject } from "./core-objects";
export { hasCrdSchema, type ObjectResult, validateCustomResource } from "./custom-resource";
export {
  chartReference,
  type HelmValuesResult,
  mergeValues,
  parseSetPath,
  validateHelmValues,
  valuesFromSet,
} from "./helm-values";
export { checkMetadata, checkName, type NameRule, nameRuleFor } from "./names";
export {
  GLOBAL_OPEN_PATHS,
  isKubernetesPassthrough,
  KUBERNETES_PASSTHROUGH,
  OPEN_PATHS,
  type OpenPath,
} from "./open-paths";
export { checkReferenceData, type ReferenceCheck } from "./reference-check";
export {
  type ChartEntry,
  type CrdEntry,
  locateSchemas,
  SCHEMAS_DIR_ENV,
  SchemaStore,
  type SchemasLocation,
  schemaStore,
  schemasAvailable,
  schemasLocation,
} from "./schema-store";
export {
  assertValid,
  formatCheckedCounts,
  formatFailure,
  type ObjectRef,
  type OlderReference,
  PINNED_REFERENCE_VERSIONS,
  StackValidationError,
  type StackValidationOptions,
  type StackValidationReport,
  UNREFERENCED_CRD_GROUPS,
  type UncheckedObject,
  type ValidationFailure,
  validateSynthesizedStack,
} from "./stack";
export {
  enableSynthValidation,
  enableSynthValidationFromEnv,
  type SynthValidationOptions,
  VALIDATE_ENV,
} from "./synth-hook";
export { TYPED_KINDS, typedResourceToObject, UNCONVERTED_TYPED_KINDS } from "./terraform-to-k8s";
