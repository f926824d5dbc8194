import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { MLFLOW_SECRETS } from "../../../constructs/addons/mlflow/names";
import { TeamMlflowAccess, type TeamMlflowAccessProps } from "../../../constructs/teams/mlflow-access";
import { type SynthJson, synthScope } from "../../support/synth";

/** A team environment's MLflow access as the team stack would make it, with the MLflow add-on's names. */
export const TEAM_PROPS = {
  team: "fraud",
  environment: "dev",
  namespace: "team-fraud-dev",
  trackingUri: "http://mlflow.mlflow.svc:5000",
  adminSecret: { namespace: "mlflow", name: MLFLOW_SECRETS.admin },
} as const;

export function synthTeamMlflow(props: Omit<TeamMlflowAccessProps, "provider"> = TEAM_PROPS): SynthJson {
  return synthScope((scope) => {
    const provider = new KubernetesProvider(scope, "k8s", {});
    new TeamMlflowAccess(scope, "Mlflow", { ...props, provider });
  });
}
