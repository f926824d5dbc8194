import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { EksCluster } from "../../constructs/cluster/eks-cluster";
import { DataLake } from "../../constructs/data-lake/data-lake";

/**
 * Composing the kit's constructs in your own stack, with a VPC you already have (bring-your-own mode):
 * an EKS cluster with one CPU and one GPU pool, and a two-zone data lake whose `models` zone the cluster's
 * training role may write to under `experiments/`.
 */
class MyMlStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: "eu-west-1" });

    const cluster = new EksCluster(this, "Cluster", {
      clusterName: "team-ml",
      vpcId: "vpc-0123456789abcdef0",
      subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      nodePools: {
        system: { instanceTypes: ["m7i.large"], minSize: 2, maxSize: 4 },
        gpu: { gpu: true, instanceTypes: ["g6.xlarge"], minSize: 0, maxSize: 2 },
      },
    });

    const lake = new DataLake(this, "Lake", {
      namePrefix: "team-ml",
      zones: { raw: {}, models: {} },
    });
    const trainer = cluster.serviceAccountRole("Trainer", {
      namespace: "training",
      serviceAccount: "trainer",
    });
    lake.grantWrite({ name: trainer.roleName }, { zone: "models", prefix: "experiments/" });

    new TerraformOutput(this, "trainer_role_arn", { value: trainer.roleArn });
  }
}

const app = new App();
new MyMlStack(app, "team-ml");
app.synth();
