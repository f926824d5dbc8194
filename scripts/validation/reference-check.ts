import { compileCached } from "./ajv";
import { validateHelmValues } from "./helm-values";
import { schemaStore } from "./schema-store";

export interface ReferenceCheck {
  readonly crds: number;
  readonly charts: number;
  /** One line per CRD schema that does not compile or chart whose own defaults do not validate. */
  readonly errors: string[];
}

/**
 * Compiles every CRD schema of the reference data and validates every chart's defaults (empty kit values)
 * against its own values.yaml / values.schema.json. Run after refreshing the reference data: a new RE2-only
 * regex construct or an unreadable file shows up here rather than in a construct's test.
 */
export function checkReferenceData(): ReferenceCheck {
  const store = schemaStore();
  const errors: string[] = [];
  for (const crd of store.crds()) {
    try {
      compileCached(`crd:${store.dir}/${crd.file}`, () => store.readJson(crd.file) as object, {
        pruneUnknown: true,
      });
    } catch (err) {
      errors.push(`${crd.file}: ${(err as Error).message}`);
    }
  }
  const charts = store.charts().filter((c) => c.hasValues);
  for (const chart of charts) {
    try {
      const result = validateHelmValues(chart.dir, {});
      for (const issue of result.issues) errors.push(`${chart.dir}: ${issue.message}`);
    } catch (err) {
      errors.push(`${chart.dir}: ${(err as Error).message}`);
    }
  }
  return { crds: store.crds().length, charts: charts.length, errors };
}
