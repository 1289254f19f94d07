// Entry point: `main.ts [redis.conf] [--directive value ...]`, like redis-server. Parses the
// configuration, starts the server, and wires SIGINT/SIGTERM to an orderly shutdown.

import { parseArgs, REDIS_VERSION, SERVER_NAME, SERVER_VERSION } from "./src/config.ts";
import { log } from "./src/log.ts";
import { Server } from "./src/server.ts";

const USAGE = `Usage: ./redis-server [/path/to/redis.conf] [options] [-]
       ./redis-server - (read config from stdin)
       ./redis-server -v or --version
       ./redis-server -h or --help

Examples:
       ./redis-server (run the server with default conf)
       ./redis-server /etc/redis/6379.conf
       ./redis-server --port 7777
       ./redis-server --port 7777 --replicaof 127.0.0.1 8888
       ./redis-server /etc/myredis.conf --loglevel verbose -
       ./redis-server /etc/myredis.conf --loglevel verbose
`;

async function main(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  if (parsed.kind === "version") {
    console.log(
      `Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=${SERVER_NAME}-${SERVER_VERSION}`,
    );
    return 0;
  }
  if (parsed.kind === "error") {
    console.error(parsed.message);
    return 1;
  }
  const config = parsed.config;
  log.setLevel(config.get("loglevel"));
  log.setFile(config.get("logfile"));
  const server = new Server(config);
  server.banner(config.file);
  for (const w of config.warnings) log.warning(w);
  try {
    await server.listen();
  } catch (err) {
    log.warning((err as Error).message);
    return 1;
  }
  log.notice(`Running mode=standalone, port=${server.port}.`);
  log.notice("Server initialized");
  // As Redis: the port is bound first, then the dump is loaded in steps (clients meanwhile
  // get -LOADING), and a file that cannot be loaded stops the server before it serves data.
  if (!(await server.persistence.loadAtStartup())) return 1;
  log.notice("Ready to accept connections tcp");
  const stop = () => {
    log.warning("Received SIGTERM scheduling shutdown...");
    server.shutdown();
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
