import { execFileSync } from "node:child_process";

/**
 * A self-signed RSA certificate and its key for a loopback test server (openssl, one day), e.g. with
 * `altNames: ["IP:127.0.0.1"]` for clients that check the address against the subjectAltName.
 */
export function selfSignedCertificate(options: {
  keyPath: string;
  certPath: string;
  commonName: string;
  altNames?: readonly string[];
}): void {
  const san = options.altNames?.length ? ["-addext", `subjectAltName=${options.altNames.join(",")}`] : [];
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${options.commonName}`]
      .concat(san)
      .concat(["-keyout", options.keyPath, "-out", options.certPath]),
    { stdio: "pipe", timeout: 60_000 },
  );
}
