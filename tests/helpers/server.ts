// Test servers: ours in-process on a free port (with access to its internals), ours as a
// subprocess (main.ts, like a user runs it), and a real redis-server as the oracle, each
// stopped by the test that started it.

import { Config, parseArgs } from "../../src/config.ts";
import { log } from "../../src/log.ts";
import { Server } from "../../src/server.ts";

/** An in-process server started for a test. */
export interface TestServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Starts our server in-process on 127.0.0.1 and a free port; `args` are `--name value` pairs. */
export async function startServer(args: string[] = []): Promise<TestServer> {
  const parsed = parseArgs(["--port", "0", "--bind", "127.0.0.1", "--save", "", ...args]);
  if (parsed.kind !== "run") throw new Error(`Bad test config: ${JSON.stringify(parsed)}`);
  log.setLevel("warning");
  const server = new Server(parsed.config);
  await server.listen();
  return {
    server,
    port: server.port,
    close: () => server.shutdown(),
  };
}

/** A config object with defaults (for unit tests). */
export function defaultConfig(): Config {
  return new Config();
}

/** True when `name` is on PATH. */
export function hasBinary(name: string): boolean {
  try {
    const r = new Deno.Command("which", { args: [name], stdout: "null", stderr: "null" })
      .outputSync();
    return r.success;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A child process serving RESP on a port. */
export interface ChildServer {
  port: number;
  process: Deno.ChildProcess;
  close(): Promise<void>;
}

/** Waits until something accepts TCP connections on `port`. */
export async function waitForPort(port: number, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`Nothing listening on port ${port} after ${timeoutMs} ms`);
}

async function stopChild(p: Deno.ChildProcess): Promise<void> {
  try {
    p.kill("SIGTERM");
  } catch {
    // already exited
  }
  const timer = setTimeout(() => {
    try {
      p.kill("SIGKILL");
    } catch {
      // exited
    }
  }, 5000);
  await p.status;
  clearTimeout(timer);
}

/**
 * Starts a real redis-server on a free port (no persistence), or returns null when it is not
 * installed; callers print a skip line then.
 */
export async function startRedis(args: string[] = []): Promise<ChildServer | null> {
  if (!hasBinary("redis-server")) return null;
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "redis-oracle-" });
  const process = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      ...args,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port);
  return {
    port,
    process,
    close: async () => {
      await stopChild(process);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Starts our server as a subprocess (`deno run main.ts ...`) on a free port. */
export async function startServerProcess(args: string[] = []): Promise<ChildServer> {
  const port = freePort();
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "--port", String(port), "--bind", "127.0.0.1", "--save", "", ...args],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port);
  return { port, process, close: () => stopChild(process) };
}

/** Polls `cond` until true or the deadline passes (no fixed sleeps in tests). */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** Prints a clear skip line (tests that need redis binaries use it when they are missing). */
export function skip(test: string, reason: string): void {
  console.log(`SKIPPED: ${test}: ${reason}`);
}

/** A server process whose log (stdout) is collected. */
export interface LoggedServer {
  port: number;
  process: Deno.ChildProcess;
  /** Everything the server logged so far. */
  log(): string;
  /** SIGTERM, then waits for the exit and the end of the log. */
  stop(): Promise<void>;
}

/**
 * Starts `bin` (`["redis-server"]`, or a `deno run ... main.ts` command line) with a free
 * `--port`, `--bind 127.0.0.1` and `args`; resolves once it logs "Ready to accept", that is,
 * once its data is loaded (both servers listen before they load). For benchmarks and tests
 * that read the log.
 */
export async function startLogged(
  bin: string[],
  args: string[],
  timeoutMs = 120000,
): Promise<LoggedServer> {
  const port = freePort();
  const process = new Deno.Command(bin[0], {
    args: [...bin.slice(1), "--port", String(port), "--bind", "127.0.0.1", ...args],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let log = "";
  const dec = new TextDecoder();
  const pump = (async () => {
    for await (const c of process.stdout) log += dec.decode(c);
  })();
  await waitForPort(port, timeoutMs);
  await waitFor(() => /Ready to accept/.test(log), timeoutMs, `${bin[0]} to load its data`);
  return {
    port,
    process,
    log: () => log,
    stop: async () => {
      try {
        process.kill("SIGTERM");
      } catch {
        // already exited
      }
      await process.status;
      await pump;
    },
  };
}
