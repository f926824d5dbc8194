import { EMBEDDED_DEFAULT } from "../config/presets";

/**
 * The embedded default configuration with `n` teams (team000…), each like a typical product team: two members,
 * one environment, MLflow, Kafka and serving, a GPU in its quota, lake prefixes in two zones and a budget.
 * What `bench:synth` synthesizes for 0, 10 and 100 teams.
 */
export function benchTeamsConfig(n: number): Record<string, unknown> {
  const teams = Object.fromEntries(
    Array.from({ length: n }, (_, i) => {
      const name = `team${String(i).padStart(3, "0")}`;
      return [
        name,
        {
          members: [
            { arn: `arn:aws:iam::123456789012:role/${name}-lead`, access: "edit" },
            { arn: `arn:aws:iam::123456789012:role/${name}-analyst` },
          ],
          services: ["mlflow", "kafka", "serving"],
          quota: { cpu: "16", memory: "64Gi", gpus: 1 },
          lake: { readWriteZones: ["raw", "curated"], sharedReadZones: ["curated"] },
          kafka: { readPredictions: true },
          budget: {
            limitUsdPerMonth: 1000,
            thresholdsPercent: [80, 100],
            recipients: [`${name}@example.com`],
          },
        },
      ];
    }),
  );
  return { ...EMBEDDED_DEFAULT, teams };
}
