// Helpers for the replication tests: INFO fields, a comparable dump of every database's
// contents (by type, so that servers that encode differently still compare equal), waits
// for a replica's link and offset to catch up with its master, and a server started the way
// main.ts starts one (loading its data files) for restart tests.

import { RespClient, type Value } from "./resp_client.ts";
import { startServer, type TestServer, waitFor } from "./server.ts";

/** The fields of one INFO section. */
export async function info(c: RespClient, section = "replication"): Promise<Map<string, string>> {
  const text = await c.call("INFO", section);
  const m = new Map<string, string>();
  if (typeof text !== "string") throw new Error(`INFO failed: ${JSON.stringify(text)}`);
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** One INFO field (throws when absent). */
export async function infoField(
  c: RespClient,
  name: string,
  section = "replication",
): Promise<string> {
  const v = (await info(c, section)).get(name);
  if (v === undefined) throw new Error(`INFO has no field ${name}`);
  return v;
}

function sortPairs(v: Value): string[][] {
  const a = v as string[];
  const out: string[][] = [];
  for (let i = 0; i < a.length; i += 2) out.push([a[i], a[i + 1]]);
  return out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}

/**
 * Every key of every database with its type, contents and whether it has a TTL, as one JSON
 * string; leaves the connection on db 0.
 */
export async function dumpData(c: RespClient, dbs = 16): Promise<string> {
  const out: Record<string, unknown> = {};
  for (let db = 0; db < dbs; db++) {
    await c.call("SELECT", db);
    const keys = ((await c.call("KEYS", "*")) as string[]).sort();
    for (const k of keys) {
      const type = await c.call("TYPE", k) as { status: string };
      let v: unknown;
      switch (type.status) {
        case "string":
          v = await c.call("GET", k);
          break;
        case "list":
          v = await c.call("LRANGE", k, 0, -1);
          break;
        case "hash":
          v = sortPairs(await c.call("HGETALL", k));
          break;
        case "set":
          v = ((await c.call("SMEMBERS", k)) as string[]).sort();
          break;
        case "zset":
          v = await c.call("ZRANGE", k, 0, -1, "WITHSCORES");
          break;
        case "stream":
          v = [
            await c.call("XRANGE", k, "-", "+"),
            await c.call("XINFO", "GROUPS", k),
          ];
          break;
        default:
          v = type.status;
      }
      const ttl = await c.call("PTTL", k);
      out[`${db}/${k}`] = [type.status, v, typeof ttl === "number" && ttl > 0];
    }
  }
  await c.call("SELECT", 0);
  return JSON.stringify(out);
}

/** Waits until `replica` has its link up and has applied everything `master` sent. */
export async function waitSynced(
  master: RespClient,
  replica: RespClient,
  timeoutMs = 30000,
): Promise<void> {
  await waitFor(
    async () => {
      const r = await info(replica);
      if (r.get("master_link_status") !== "up") return false;
      const m = await info(master);
      return m.get("master_repl_offset") === r.get("slave_repl_offset");
    },
    timeoutMs,
    "the replica to catch up with its master",
  );
}

/** Runs commands (argv arrays) on a connection, failing on error replies. */
export async function runAll(c: RespClient, cmds: (string | number)[][]): Promise<void> {
  for (const argv of cmds) {
    const r = await c.call(...argv);
    if (r !== null && typeof r === "object" && "error" in r) {
      throw new Error(`${argv.join(" ")}: ${r.error}`);
    }
  }
}

/**
 * Starts our server in-process and loads its dump or AOF as main.ts does after binding (a
 * replica's link waits for the load, as in Redis).
 */
export async function startServerLoaded(args: string[]): Promise<TestServer> {
  const s = await startServer(args);
  if (!(await s.server.persistence.loadAtStartup())) {
    await s.close();
    throw new Error("The start-up load failed");
  }
  return s;
}

/** Runs `fn` in fresh temp dirs, restoring the working directory (`dir` changes it). */
export async function withTempDirs(
  n: number,
  fn: (dirs: string[]) => Promise<void>,
): Promise<void> {
  const cwd = Deno.cwd();
  const dirs: string[] = [];
  try {
    for (let i = 0; i < n; i++) dirs.push(await Deno.makeTempDir({ prefix: "repl-" }));
    await fn(dirs);
  } finally {
    Deno.chdir(cwd);
    for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
  }
}
