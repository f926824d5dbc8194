import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MLMD_CONFIG_KEY } from "../../../../constructs/addons/kubeflow-pipelines/metadata";
import { type Json, manifests, named, synthKfp } from "./support";

const { json } = synthKfp({});
const external = manifests(json, "ExternalSecret")[0];
const template: Record<string, string> = external.spec.target.template.data;

const GO = spawnSync("go", ["version"], { encoding: "utf8" }).status === 0;
const RENDERER = fileURLToPath(new URL("../../../support/fixtures/render-template.go", import.meta.url));
if (!GO && process.env.KFP_GO_REQUIRED === "1") {
  throw new Error('KFP_GO_REQUIRED=1 (set by .ci/steps/kubeflow.sh) but "go" is not on PATH');
}
if (!GO) {
  console.warn(
    `\n${"!".repeat(100)}\n!! SKIPPING the ESO template rendering check: no "go" on PATH (apt-get install golang-go)\n${"!".repeat(100)}\n`,
  );
}

/** Renders an ESO v2 template with Go's text/template (and Sprig's `replace`), as ESO does. */
function render(text: string, data: Record<string, string>): string {
  return execFileSync("go", ["run", RENDERER], {
    input: JSON.stringify({ template: text, data }),
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe("Kubeflow Pipelines metadata server on RDS", () => {
  it("runs ML Metadata from a config file in mysql-secret instead of the MySQL flags (which cannot ask for TLS)", () => {
    const grpc = named(json, "kubernetes_deployment_v1", "metadata-grpc-deployment");
    const c = grpc.spec.template.spec.container[0];
    expect(c.args).toEqual([
      "--grpc_port=8080",
      "--metadata_store_server_config_file=/etc/mlmd/config.textproto",
    ]);
    expect(c.env ?? []).toEqual([]);
    expect(c.volume_mount).toContainEqual({ name: "mlmd-config", mount_path: "/etc/mlmd", read_only: true });
    const volume = (grpc.spec.template.spec.volume as Json[]).find((v) => v.name === "mlmd-config") as Json;
    expect(volume.secret).toEqual({
      secret_name: "mysql-secret",
      items: [{ key: MLMD_CONFIG_KEY, path: "config.textproto" }],
    });
    expect(Object.keys(template).sort()).toEqual([MLMD_CONFIG_KEY, "password", "username"]);
    const config = template[MLMD_CONFIG_KEY];
    expect(config).toMatch(/host: "\$\{aws_db_instance\.[^}]+\.address\}"/);
    expect(config).toContain("port: 3306");
    expect(config).toContain('database: "metadb"');
    expect(config).toContain("ssl_options { verify_server_cert: false }");
    expect(config).toContain("migration_options { enable_upgrade_migration: true }");
  });

  it("keeps the MySQL flags with the in-cluster store (no TLS requirement, no config file)", () => {
    const { json: j } = synthKfp({ metadata: { store: "in-cluster" } });
    const c = named(j, "kubernetes_deployment_v1", "metadata-grpc-deployment").spec.template.spec
      .container[0];
    expect(c.args).toContain("--mysql_config_host=mysql.kubeflow.svc.cluster.local");
    expect(c.args).toContain("--mysql_config_password=$(DBCONFIG_PASSWORD)");
    expect(manifests(j, "ExternalSecret")[0].spec.target.template?.data?.[MLMD_CONFIG_KEY]).toBeUndefined();
  });

  describe.skipIf(!GO)("rendered by Go's text/template as ESO renders it", () => {
    const passwords = [
      "plain-Passw0rd",
      'with"quote',
      "back\\slash",
      'both\\"mixed\\\\"end',
      "p@ss/w#rd$%^&*()",
    ];
    for (const password of passwords) {
      it(`yields a protobuf string that unescapes to the password ${JSON.stringify(password)}`, () => {
        const out = render(template[MLMD_CONFIG_KEY], { username: "dbadmin", password });
        const quoted = /^ {4}password: "((?:[^"\\]|\\.)*)"$/m.exec(out);
        expect(quoted, out).not.toBeNull();
        // Protobuf text and JSON share the \\ and \" escapes used here.
        expect(JSON.parse(`"${quoted?.[1]}"`)).toBe(password);
        expect(out).toMatch(/^ {4}user: "dbadmin"$/m);
        expect(render(template.password, { username: "dbadmin", password })).toBe(password);
      });
    }
  });
});
