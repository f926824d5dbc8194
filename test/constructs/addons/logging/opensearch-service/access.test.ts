import { describe, expect, it } from "vitest";
import {
  writerPolicyStatements,
  writerSecurityRequests,
} from "../../../../../constructs/addons/logging/opensearch-service";
import { WRITER } from "./support";

const DOMAIN = "arn:aws:es:eu-west-1:123456789012:domain/acme-dev-logs";

describe("writer access", () => {
  it("grants a writer's role the four HTTP methods on this domain's paths, nothing account-wide", () => {
    expect(writerPolicyStatements(DOMAIN)).toEqual([
      {
        sid: "WriteLogsToOpenSearch",
        effect: "Allow",
        actions: ["es:ESHttpPost", "es:ESHttpPut", "es:ESHttpGet", "es:ESHttpHead"],
        resources: [`${DOMAIN}/*`],
      },
    ]);
  });

  it("maps the writer roles to an FGAC role that can create and index the log indices only", () => {
    const [role, mapping] = writerSecurityRequests({
      writerRoleArns: [WRITER],
      indexPatterns: ["logs-containers-*"],
    });
    expect(role).toEqual({
      method: "PUT",
      path: "/_plugins/_security/api/roles/log-writer",
      body: {
        description: expect.any(String),
        cluster_permissions: ["indices:data/write/bulk"],
        index_permissions: [
          { index_patterns: ["logs-containers-*"], allowed_actions: ["create_index", "index"] },
        ],
      },
    });
    expect(mapping).toEqual({
      method: "PUT",
      path: "/_plugins/_security/api/rolesmapping/log-writer",
      body: { backend_roles: [WRITER] },
    });
  });

  it("fails when there is no writer to map", () => {
    expect(() => writerSecurityRequests({ writerRoleArns: [], indexPatterns: ["logs-*"] })).toThrow(
      /writerRoleArns: got \[\]/,
    );
  });

  it("fails when the index pattern is every index", () => {
    expect(() => writerSecurityRequests({ writerRoleArns: [WRITER], indexPatterns: ["*"] })).toThrow(
      /indexPatterns: got \["\*"\]; expected the log index patterns \(not "\*"\)/,
    );
  });

  it("fails when the role name is not a security plugin role name", () => {
    expect(() =>
      writerSecurityRequests({ writerRoleArns: [WRITER], indexPatterns: ["logs-*"], roleName: "Log Writer" }),
    ).toThrow(/roleName: got "Log Writer"/);
  });
});
