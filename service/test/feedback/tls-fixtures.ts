/**
 * Keys and certificates for the TLS broker tests, made with the openssl CLI in a temp dir: a cluster CA (as
 * Strimzi's), the broker's certificate for 127.0.0.1 signed by it, a client certificate for an mTLS user
 * signed by it (Kafka's truststore holds that CA), and an unrelated "rogue" CA with a broker certificate of
 * its own. EC P-256 keys, PKCS#8 PEM, which Kafka reads as `ssl.keystore.type=PEM`.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TlsFixtures {
  readonly dir: string;
  /** Cluster CA certificate (what KAFKA_SSL_CA_FILE points at). */
  readonly caFile: string;
  /** Broker key + certificate in one PEM file (Kafka PEM keystore). */
  readonly brokerKeystore: string;
  /** mTLS client certificate and key for the subject `CN=<clientCn>`. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** Key + certificate of a broker whose certificate another CA signed. */
  readonly rogueKeystore: string;
}

/** Why the fixtures cannot be made here, or undefined. */
export function opensslUnavailableReason(): string | undefined {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "no `openssl` on PATH (Debian package openssl; bash .ci/steps/kafka.sh installs it)";
  }
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

function makeCa(dir: string, name: string): void {
  openssl(
    dir,
    "req",
    "-x509",
    ...EC,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-subj",
    `/O=mlops-kit-test/CN=${name}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
}

async function makeLeaf(dir: string, ca: string, name: string, subject: string, ext: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), `${ext}\n`);
  openssl(dir, "req", "-new", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
  openssl(
    dir,
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
  );
}

async function keystore(dir: string, name: string, ca: string): Promise<string> {
  const file = join(dir, `${name}-keystore.pem`);
  const parts = await Promise.all(
    [`${name}.key`, `${name}.crt`, `${ca}.crt`].map((f) => readFile(join(dir, f), "utf8")),
  );
  await writeFile(file, parts.join(""));
  return file;
}

export async function makeTlsFixtures(clientCn: string): Promise<TlsFixtures> {
  const dir = await mkdtemp(join(tmpdir(), "kafka-tls-"));
  makeCa(dir, "cluster-ca");
  makeCa(dir, "rogue-ca");
  const server =
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature";
  await makeLeaf(dir, "cluster-ca", "broker", "/O=mlops-kit-test/CN=broker", server);
  await makeLeaf(dir, "rogue-ca", "rogue", "/O=mlops-kit-test/CN=rogue-broker", server);
  await makeLeaf(
    dir,
    "cluster-ca",
    "client",
    `/CN=${clientCn}`,
    "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature",
  );
  return {
    dir,
    caFile: join(dir, "cluster-ca.crt"),
    brokerKeystore: await keystore(dir, "broker", "cluster-ca"),
    clientCertFile: join(dir, "client.crt"),
    clientKeyFile: join(dir, "client.key"),
    rogueKeystore: await keystore(dir, "rogue", "rogue-ca"),
  };
}
