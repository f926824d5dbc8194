import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, TerraformStack } from "cdktf";

// The reference for `bench:synth`: the smallest cdktf app with the same provider package.
const app = new App();
const stack = new TerraformStack(app, "one-resource");
new AwsProvider(stack, "aws", { region: "eu-west-1" });
new S3Bucket(stack, "Bucket", { bucketPrefix: "bench-" });
app.synth();
