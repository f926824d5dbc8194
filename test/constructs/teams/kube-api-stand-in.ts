import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { all, type Json } from "../../support/manifests";
import { resourcesOf, type SynthJson } from "../../support/synth";
import { selfSignedCertificate } from "../../support/tls";

/**
 * The Kubernetes API's core/v1 Secrets endpoints as a Job's pod reaches them in a cluster, on loopback over TLS
 * (no kube-apiserver can run here: none ships in the registries this workplace reaches). It authenticates the
 * bearer token of one service account and authorizes every request by the synthesized RBAC exactly: a
 * RoleBinding in the request's namespace naming that service account, its Role's rules (apiGroups "", resource
 * secrets, the verb, resourceNames when the rule has any), else 403 as Kubernetes answers. Secrets live in
 * memory: GET 200/404, POST 201/409, PUT 200/404.
 */
export interface KubeApiStandIn {
  readonly port: number;
  /** A directory laid out as the projected service account volume: `token`, `ca.crt`. */
  readonly serviceAccountDir: string;
  readonly secrets: Map<string, Json>;
  readonly denied: string[];
  close(): Promise<void>;
}

/** A Terraform reference to a resource's metadata name, resolved in the synthesized JSON; a literal is itself. */
export function resolveName(json: SynthJson, value: string): string {
  const ref = /^\$\{([a-z0-9_]+)\.([^.]+)\.metadata\[0\]\.name\}$/.exec(value);
  if (!ref) return value;
  const resource = resourcesOf(json, ref[1])[ref[2]] as Json | undefined;
  if (!resource) throw new Error(`unresolved reference ${value}`);
  return resource.metadata.name;
}

function verbOf(method: string): string {
  const verbs: Record<string, string> = { GET: "get", POST: "create", PUT: "update", PATCH: "patch" };
  return verbs[method] ?? method.toLowerCase();
}

export async function startKubeApiStandIn(
  json: SynthJson,
  serviceAccount: { namespace: string; name: string },
  dir: string,
): Promise<KubeApiStandIn> {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, "tls.key");
  const cert = join(dir, "ca.crt");
  selfSignedCertificate({
    keyPath: key,
    certPath: cert,
    commonName: "kubernetes",
    altNames: ["IP:127.0.0.1"],
  });
  const token = randomBytes(24).toString("hex");
  writeFileSync(join(dir, "token"), token);

  const roles = all(json, "kubernetes_role_v1");
  const allowed = (namespace: string, verb: string, name: string | undefined) =>
    all(json, "kubernetes_role_binding_v1")
      .filter((b) => b.metadata.namespace === namespace)
      .filter((b) =>
        (b.subject as Json[]).some(
          (s) =>
            s.kind === "ServiceAccount" &&
            resolveName(json, s.name) === serviceAccount.name &&
            s.namespace === serviceAccount.namespace,
        ),
      )
      .flatMap((b) =>
        roles.filter((r) => r.metadata.namespace === namespace && r.metadata.name === b.role_ref.name),
      )
      .flatMap((r) => r.rule as Json[])
      .some(
        (rule) =>
          (rule.api_groups as string[]).includes("") &&
          (rule.resources as string[]).includes("secrets") &&
          (rule.verbs as string[]).includes(verb) &&
          (!rule.resource_names || (name !== undefined && (rule.resource_names as string[]).includes(name))),
      );

  const secrets = new Map<string, Json>();
  const denied: string[] = [];
  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => {
      const answer = (status: number, body: Json) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const status = (code: number, reason: string) =>
        answer(code, { kind: "Status", apiVersion: "v1", status: "Failure", reason, code });
      if (req.headers.authorization !== `Bearer ${token}`) return status(401, "Unauthorized");
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/?]+))?$/.exec(req.url ?? "");
      if (!m) return status(404, "NotFound");
      const [, namespace, pathName] = m as unknown as [string, string, string | undefined];
      const verb = verbOf(req.method ?? "");
      const body = text ? (JSON.parse(text) as Json) : undefined;
      // create is authorized without a name, as Kubernetes does.
      if (!allowed(namespace, verb, verb === "create" ? undefined : pathName)) {
        denied.push(`${verb} ${namespace}/${pathName ?? ""}`);
        return status(403, "Forbidden");
      }
      const id = (name: string) => `${namespace}/${name}`;
      if (verb === "get" && pathName) {
        const found = secrets.get(id(pathName));
        return found ? answer(200, found) : status(404, "NotFound");
      }
      if (verb === "create" && !pathName && body) {
        if (body.metadata?.namespace && body.metadata.namespace !== namespace)
          return status(400, "BadRequest");
        if (secrets.has(id(body.metadata.name))) return status(409, "AlreadyExists");
        secrets.set(id(body.metadata.name), { ...body, metadata: { ...body.metadata, namespace } });
        return answer(201, secrets.get(id(body.metadata.name)) as Json);
      }
      if (verb === "update" && pathName && body) {
        if (!secrets.has(id(pathName))) return status(404, "NotFound");
        secrets.set(id(pathName), body);
        return answer(200, body);
      }
      return status(405, "MethodNotAllowed");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    serviceAccountDir: dir,
    secrets,
    denied,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
