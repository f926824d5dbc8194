/** Which models the service serves and from where, from MODEL_SOURCES, MODELS and MODEL_REPOSITORY. */
import { type Config, ConfigError } from "../config";
import { isUri, listModelNames, type ModelSourceConfig } from "../inference";

/**
 * MODEL_SOURCES as given; else MODELS (or, unless MODEL_CONTROL=explicit, every model found in a local
 * repository) from MODEL_REPOSITORY.
 */
export async function modelSources(config: Config): Promise<ModelSourceConfig[]> {
  if (config.MODEL_SOURCES.length > 0) return [...config.MODEL_SOURCES];
  // Explicit model control starts with the models named (possibly none) and loads others on request.
  if (config.MODEL_CONTROL === "explicit") {
    return config.MODELS.map((name) => ({ name, source: config.MODEL_REPOSITORY }));
  }
  const names = config.MODELS.length > 0 ? config.MODELS : await discoverModels(config.MODEL_REPOSITORY);
  return names.map((name) => ({ name, source: config.MODEL_REPOSITORY }));
}

async function discoverModels(repository: string): Promise<string[]> {
  // A remote repository cannot be listed cheaply and reliably (S3 prefixes, MLflow names): ask for names.
  if (isUri(repository)) {
    throw new ConfigError([
      `MODELS="": expected model names when MODEL_REPOSITORY=${repository} is not a directory`,
    ]);
  }
  const names = await listModelNames(repository);
  if (names.length === 0) {
    throw new ConfigError([
      `MODEL_REPOSITORY=${JSON.stringify(repository)}: expected <name>/<version>/model.onnx`,
    ]);
  }
  return names;
}
