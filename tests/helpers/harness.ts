// In-process command harness: runs argv through the real dispatcher against a Server that
// does not listen, and returns each reply as its RESP bytes (a byte string) and parsed value.
// Family tests use it: no TCP, no timing.

import type { Client } from "../../src/client.ts";
import { execute } from "../../src/commands/dispatcher.ts";
import { parseArgs } from "../../src/config.ts";
import { log } from "../../src/log.ts";
import { RecordingSink } from "../../src/replication/propagator.ts";
import { Server } from "../../src/server.ts";
import { bytesToStr } from "../../src/util/bytes.ts";
import { parseReply, type Value } from "./resp_client.ts";

/** A server plus one or more fake clients for driving commands directly. */
export class Harness {
  readonly server: Server;
  readonly client: Client;
  /** Every propagated command (with SELECTs), in order. */
  readonly sink = new RecordingSink();

  constructor(args: string[] = []) {
    const parsed = parseArgs(["--save", "", ...args]);
    if (parsed.kind !== "run") throw new Error(`Bad harness config: ${JSON.stringify(parsed)}`);
    log.setLevel("warning");
    this.server = new Server(parsed.config);
    this.server.propagator.sinks.add(this.sink);
    this.client = this.newClient();
  }

  /** A further fake client (no connection) registered with the server. */
  newClient(): Client {
    const c = this.server.createClient(null);
    this.server.clients.set(c.id, c);
    return c;
  }

  /** Runs one command; returns the raw RESP reply bytes as a byte string. */
  raw(argv: (string | number)[], client: Client = this.client): string {
    execute(this.server, client, argv.map(String));
    const out = bytesToStr(client.out.bytes());
    client.out.reset();
    return out;
  }

  /** Runs one command; returns the parsed reply. */
  run(...argv: (string | number)[]): Value {
    return this.runAs(this.client, ...argv);
  }

  /** Runs one command as `client`; returns the parsed reply. */
  runAs(client: Client, ...argv: (string | number)[]): Value {
    const raw = this.raw(argv, client);
    if (raw === "") return undefined as unknown as Value;
    const r = parseReply(raw, 0);
    if (r === null) throw new Error(`Incomplete reply: ${JSON.stringify(raw)}`);
    return r.value;
  }

  /** Propagated commands so far, and clears the record. */
  propagated(): string[][] {
    const out = this.sink.commands.splice(0);
    return out;
  }

  /** Stops timers. */
  async close(): Promise<void> {
    await this.server.shutdown();
  }
}

/** Runs `fn` with a fresh Harness (configured by `args`) and always closes it. */
export async function withHarness(
  fn: (h: Harness) => void | Promise<void>,
  args: string[] = [],
): Promise<void> {
  const h = new Harness(args);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}
