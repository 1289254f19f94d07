// Replays one AOF file into the keyspace (aof.c loadSingleAppendOnlyFile): an RDB part first
// when the file starts with "REDIS" (a base file, or an old-style preamble), then RESP
// commands run by a fake client that never blocks and gets no replies, MULTI/EXEC queued and
// run as Redis's loader does. A file cut short is truncated to its last complete command when
// aof-load-truncated allows, and format errors stop the load, with Redis's log lines.

import type { Client } from "../client.ts";
import { BlockRequest } from "../blocking/registry.ts";
import { lookupCommand } from "../commands/dispatcher.ts";
import type { Command } from "../commands/spec.ts";
import { ReplyError } from "../errors.ts";
import { log } from "../log.ts";
import type { Server } from "../server.ts";
import { bufferView } from "../util/bytes.ts";
import type { RdbInfo } from "./rdb/reader.ts";

/** The outcome of loading one file (AOF_OK, AOF_TRUNCATED, AOF_EMPTY ...). */
export type AofLoadStatus = "ok" | "truncated" | "empty" | "not_exist" | "open_err" | "failed";

/** How to load one file. */
export interface AofFileOptions {
  /** The AOF directory. */
  dir: string;
  /** appendfilename: a file of that name is an old-style AOF (its RDB part is a preamble). */
  fileName: string;
  /** Bytes of the files loaded before this one (INFO loading_loaded_bytes). */
  progressBase: number;
}

// Commands between progress updates and event-loop turns (Redis serves clients every 1024).
const LOOP_BATCH = 1024;

// Why the command loop stopped early.
const enum Stop {
  None,
  Eof,
  Format,
}

/**
 * Loads `opts.dir`/`name` into the databases.
 * @returns Redis's status for the file; failures are logged
 */
export async function loadAofFile(
  server: Server,
  name: string,
  opts: AofFileOptions,
): Promise<AofLoadStatus> {
  const path = `${opts.dir}/${name}`;
  let data: Uint8Array;
  try {
    data = Deno.readFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      log.warning(`The append log file ${name} doesn't exist: No such file or directory`);
      return "not_exist";
    }
    log.warning(
      `Fatal error: can't open the append log file ${name} for reading: ${(err as Error).message}`,
    );
    return "open_err";
  }
  if (data.length === 0) return "empty";
  const p = server.persistence;
  const interval = server.config.num("loading-process-events-interval-bytes");
  let nextYield = interval;
  let pos = 0;

  if (isRdb(data)) {
    const oldStyle = name === opts.fileName;
    log.notice(
      oldStyle
        ? "Reading RDB preamble from AOF file..."
        : "Reading RDB base file on AOF loading...",
    );
    const run = p.rdbLoader(data, { source: path, aofBase: true });
    let info: RdbInfo;
    try {
      for (;;) {
        const r = run.steps.next();
        if (r.done) {
          info = r.value;
          break;
        }
        p.loadedBytes = opts.progressBase + r.value;
        if (r.value >= nextYield) {
          nextYield = r.value + interval;
          await yieldToLoop();
        }
      }
    } catch (err) {
      const res = run.failed(err);
      if (!res.ok) log.warning(res.message);
      log.warning(
        oldStyle
          ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted`
          : `Error reading the RDB base file ${name}, AOF loading aborted`,
      );
      return "failed";
    }
    run.finished();
    pos = info.end;
    p.loadedBytes = opts.progressBase + pos;
    if (oldStyle) log.notice("Reading the remaining AOF tail...");
  }

  const replay = new Replay(server);
  const truncate = server.config.bool("aof-load-truncated");
  const text = bufferView(data);
  const n = data.length;
  let validUpTo = 0;
  let validBeforeMulti = 0;
  let stop = Stop.None;
  let loops = 0;
  parse: for (;;) {
    if (loops++ % LOOP_BATCH === 0) {
      p.loadedBytes = opts.progressBase + pos;
      if (pos >= nextYield) {
        nextYield = pos + interval;
        await yieldToLoop();
      }
    }
    if (pos >= n) break;
    // fgets: the next line, with its '\n' when there is one.
    let eol = data.indexOf(10, pos);
    if (eol < 0) eol = n - 1;
    const first = data[pos];
    if (first === 35) {
      // '#': an annotation (#TS:...), skipped.
      pos = eol + 1;
      continue;
    }
    if (first !== 42) {
      stop = Stop.Format;
      break;
    }
    // A lone '*' at the end of the file is a short read.
    if (pos + 1 >= n) {
      stop = Stop.Eof;
      break;
    }
    const argc = atoi(data, pos + 1, eol);
    pos = eol + 1;
    if (argc < 1) {
      stop = Stop.Format;
      break;
    }
    const argv: string[] = new Array(argc);
    for (let j = 0; j < argc; j++) {
      if (pos >= n) {
        stop = Stop.Eof;
        break parse;
      }
      let end = data.indexOf(10, pos);
      if (end < 0) end = n - 1;
      if (data[pos] !== 36) {
        stop = Stop.Format;
        break parse;
      }
      const len = atoi(data, pos + 1, end);
      pos = end + 1;
      if (len < 0) {
        stop = Stop.Format;
        break parse;
      }
      // The argument, then its CRLF (read, not checked, as fread(buf,2,1) does).
      if ((len > 0 && pos + len > n) || pos + len + 2 > n) {
        stop = Stop.Eof;
        break parse;
      }
      argv[j] = text.latin1Slice(pos, pos + len);
      pos += len + 2;
    }
    const found = lookupCommand(server, argv);
    if (typeof found === "string") {
      if (found.startsWith("ERR unknown")) {
        log.warning(`Unknown command '${argv[0]}' reading the append only file ${name}`);
        return "failed";
      }
      // Wrong arity: Redis would run it anyway and get an error reply; nothing to do.
    } else {
      if (found.name === "multi") validBeforeMulti = validUpTo;
      replay.command(found, argv);
    }
    if (truncate) validUpTo = pos;
  }

  if (stop === Stop.None) {
    p.loadedBytes = opts.progressBase + n;
    // A transaction without its EXEC at the end counts as a short read: its commands were
    // only queued, so cutting it off leaves the data as it was before the MULTI.
    if (!replay.inMulti) return "ok";
    log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
    validUpTo = validBeforeMulti;
    stop = Stop.Eof;
  }
  if (stop === Stop.Format) {
    log.warning(
      `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
    );
    return "failed";
  }
  if (truncate) {
    log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    log.warning(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
    try {
      Deno.truncateSync(path, validUpTo);
      log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
      return "truncated";
    } catch (err) {
      log.warning(`Error truncating the AOF file ${name}: ${(err as Error).message}`);
    }
  }
  log.warning(
    `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
  );
  return "failed";
}

/** True when the bytes start with the RDB signature. */
export function isRdb(data: Uint8Array): boolean {
  return data.length >= 5 && data[0] === 82 && data[1] === 69 && data[2] === 68 &&
    data[3] === 73 && data[4] === 83;
}

// atoi/strtol on bytes [from, to): optional sign and digits, 0 when there are none.
function atoi(data: Uint8Array, from: number, to: number): number {
  let i = from;
  let neg = false;
  if (data[i] === 45 || data[i] === 43) neg = data[i++] === 45;
  let v = 0;
  for (; i < to; i++) {
    const c = data[i] - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

// The AOF client (createAOFClient): runs commands straight through their handlers, as the
// loader calls cmd->proc, so nothing is counted in command stats, sent to MONITOR or
// propagated. It may not block: a blocking command behaves as if its timeout had passed.
class Replay {
  readonly #server: Server;
  readonly #client: Client;
  #queue: { cmd: Command; argv: string[] }[] | null = null;

  constructor(server: Server) {
    this.#server = server;
    this.#client = server.createClient(null);
    // Obeyed like a master: limits such as proto-max-bulk-len do not refuse its commands.
    this.#client.isMaster = true;
  }

  get inMulti(): boolean {
    return this.#queue !== null;
  }

  command(cmd: Command, argv: string[]): void {
    const q = this.#queue;
    if (cmd.name === "multi" && q === null) {
      this.#queue = [];
      return;
    }
    if (q !== null && cmd.name !== "exec") {
      q.push({ cmd, argv });
      return;
    }
    if (cmd.name === "exec") {
      this.#queue = null;
      if (q !== null) { for (const e of q) this.#run(e.cmd, e.argv); }
      return;
    }
    this.#run(cmd, argv);
  }

  #run(cmd: Command, argv: string[]): void {
    const server = this.#server;
    const ks = server.keyspace;
    const client = this.#client;
    const ctx = client.ctx;
    ctx.client = client;
    ctx.server = server;
    ctx.db = ks.dbs[client.dbIndex];
    ctx.command = cmd;
    ctx.rewritten = null;
    ctx.also = null;
    ctx.preventPropagation = false;
    ctx.now = Date.now();
    ks.freezeTime(ctx.now);
    server.execDepth++;
    try {
      const r = cmd.spec.handler!(ctx, argv);
      if (r instanceof BlockRequest) r.onTimeout();
    } catch (err) {
      // An error reply goes nowhere, as the fake client's replies do.
      if (!(err instanceof ReplyError)) {
        log.warning(
          `Internal error replaying '${cmd.name}' from the AOF: ${(err as Error).message}`,
        );
      }
    } finally {
      server.execDepth--;
      ks.unfreezeTime();
    }
  }
}

// An event-loop turn between slices of a long load (see snapshotter.ts yieldToLoop).
function yieldToLoop(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}
