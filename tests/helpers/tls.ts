// Test certificates made with openssl in a temp dir: a CA, a server certificate for
// 127.0.0.1/localhost (usable as a client certificate too, as a replica presents it), a client
// certificate, and a self-signed rogue one; plus the tls-* arguments naming them. Each test
// file makes its own set and removes it when done.

import { hasBinary } from "./server.ts";

/** Paths of one set of test certificates (all PEM, keys unencrypted). */
export interface Certs {
  dir: string;
  ca: string;
  cert: string;
  key: string;
  clientCert: string;
  clientKey: string;
  rogueCert: string;
  rogueKey: string;
}

/** True when openssl is on PATH (TLS tests are skipped otherwise). */
export const HAVE_OPENSSL = hasBinary("openssl");

async function openssl(dir: string, args: string[]): Promise<void> {
  const r = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!r.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(r.stderr)}`);
  }
}

/**
 * Makes a fresh set of certificates in a new temp dir.
 * @returns their paths; remove `dir` when done (removeCerts)
 */
export async function makeCerts(): Promise<Certs> {
  const dir = await Deno.makeTempDir({ prefix: "tls-test-" });
  const subj = (cn: string) => ["-subj", `/CN=${cn}`];
  const selfSigned = (name: string, cn: string) => [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    ...subj(cn),
  ];
  await openssl(dir, selfSigned("ca", "Test CA"));
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n",
  );
  await Deno.writeTextFile(
    `${dir}/client.ext`,
    "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
  );
  for (const [name, cn] of [["server", "localhost"], ["client", "client"]]) {
    await openssl(dir, [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      ...subj(cn),
    ]);
    await openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    ]);
  }
  await openssl(dir, selfSigned("rogue", "rogue"));
  return {
    dir,
    ca: `${dir}/ca.crt`,
    cert: `${dir}/server.crt`,
    key: `${dir}/server.key`,
    clientCert: `${dir}/client.crt`,
    clientKey: `${dir}/client.key`,
    rogueCert: `${dir}/rogue.crt`,
    rogueKey: `${dir}/rogue.key`,
  };
}

/** Removes a set made by makeCerts. */
export async function removeCerts(c: Certs): Promise<void> {
  await Deno.remove(c.dir, { recursive: true }).catch(() => {});
}

/**
 * The tls-* arguments for a server (ours or redis-server) using the server certificate.
 * @param port the tls-port, or 0 for none (a replica that only connects out over TLS)
 */
export function tlsArgs(c: Certs, port: number, extra: string[] = []): string[] {
  const args = port === 0 ? [] : ["--tls-port", String(port)];
  return [
    ...args,
    "--tls-cert-file",
    c.cert,
    "--tls-key-file",
    c.key,
    "--tls-ca-cert-file",
    c.ca,
    ...extra,
  ];
}
