// RDB snapshots of the live keyspace: SAVE (one synchronous walk), BGSAVE (a point-in-time
// snapshot serialised in time slices while clients keep being served), save points driven by
// the dirty counter from the server cron, the final save on shutdown, loading at start-up and
// the INFO persistence fields. Every save writes a temp file, fsyncs it and renames it over
// the dump, so a crash never leaves a torn file.
//
// Deno has no fork(), so BGSAVE keeps its point in time by copy-on-write at key granularity:
// it holds on to each database's Maps as they were when it started (FLUSHDB and SWAPDB install
// or swap whole Maps, leaving the held ones intact) and the dispatcher calls `beforeWrite`
// before every write command, which copies out (clones, for values changed in place) the old
// value of each key the command names, the first time it is touched; the walk writes those keys
// from their copies. Slices of ~4 ms alternate with event-loop turns.

import { getKeyPositions } from "../commands/admin.ts";
import type { Command, Ctx } from "../commands/spec.ts";
import { REDIS_VERSION } from "../config.ts";
import { MISCONF, misconfAof } from "../errors.ts";
import { log } from "../log.ts";
import type { Server } from "../server.ts";
import type { Database, RedisValue } from "../store/database.ts";
import { rdbAccessFields, setAccess } from "../store/evict.ts";
import * as C from "./rdb/constants.ts";
import { RdbFormatError, type RdbInfo, readRdbSteps } from "./rdb/reader.ts";
import { type EncodingLimits, encodingLimits, fromRdb, writeValue } from "./rdb/values.ts";
import { RdbWriter } from "./rdb/writer.ts";
import { loadFunctionRdb, writeFunctionsRdb } from "../scripting/functions.ts";
import { Aof } from "./aof.ts";

/** Redis's CONFIG_BGSAVE_RETRY_DELAY: seconds before a failed BGSAVE is retried by a save point. */
const BGSAVE_RETRY_DELAY = 5;
/** Longest synchronous stretch of a BGSAVE slice, in ms. */
const SLICE_MS = 4;

/** Options of `Persistence.rdbLoader`. */
export interface RdbLoadOptions {
  /** The file the bytes come from, for messages. */
  source: string;
  /** Replace keys that already exist (DEBUG RELOAD MERGE) instead of failing. */
  merge?: boolean;
  /** The bytes are an AOF base file (or RDB preamble): see `rdbLoader`. */
  aofBase?: boolean;
  /** Load into these databases instead of the live ones (a replica's full resync). */
  targets?: Database[];
}

/** A prepared RDB load (see `Persistence.rdbLoader`). */
export interface RdbLoad {
  steps: Generator<number, RdbInfo>;
  failed(err: unknown): LoadResult;
  finished(): LoadResult;
}

/** The replication aux fields of a loaded RDB (rdbSaveInfo); -1 / "" when absent. */
export interface RdbReplInfo {
  streamDb: number;
  replId: string;
  offset: number;
}

/** The outcome of loading a dump file. */
export type LoadResult =
  | { ok: true; missing: boolean; keys: number; expired: number }
  | { ok: false; message: string; shortRead: boolean };

// A copy of a key's state when the snapshot started; `value` undefined: the key did not exist.
interface Saved {
  value: RedisValue | undefined;
  expire: number | undefined;
  /** Copied while the key list was still being captured. */
  early: boolean;
  /** Already written by the walk. */
  written: boolean;
}

// One database as the snapshot sees it. The walk has two phases: first it captures the key
// list (in slices: only pointer copies), then it writes those keys. A key changed before the
// walk writes it is written from its copy in `saved`; a key that existed at the start but was
// deleted before the capture reached it has only its early copy, written at the end. Neither
// phase needs to remember which keys are done, which for a million keys would cost a large
// Set and the GC pauses it brings.
interface DbSnap {
  id: number;
  data: Map<string, RedisValue>;
  expires: Map<string, number>;
  size: number;
  expiresSize: number;
  /** The keys captured so far (phase 1), then the keys to write (phase 2). */
  keys: string[];
  capturing: boolean;
  saved: Map<string, Saved>;
  finished: boolean;
}

/**
 * Where a background snapshot's RDB bytes go: the dump file (BGSAVE), an AOF base file
 * (BGREWRITEAOF) or replica links (full resync). One snapshot runs at a time, as Redis runs one
 * child at a time.
 */
export interface SnapshotTarget {
  /** "rdb" counts as a BGSAVE in INFO (rdb_bgsave_in_progress); "aof" as an AOF rewrite. */
  readonly kind: "rdb" | "aof";
  /** Streamed to replica sockets (diskless sync): not a save (no LASTSAVE, dirty kept). */
  readonly socket?: boolean;
  /** Aux fields written after Redis's own (repl-id, repl-offset, aof-base ...), overriding. */
  readonly aux?: [string, string][];
  /** Receives the next bytes; awaited before the walk goes on (backpressure). */
  write(chunk: Uint8Array): Promise<void>;
  /** After the last bytes (the checksum): make them durable; false when that failed. */
  finish(): Promise<boolean>;
  /** The snapshot failed or was aborted: drop what was written. */
  discard(): Promise<void>;
}

// The state of a running background snapshot.
class BackgroundSave {
  readonly dbs: DbSnap[] = [];
  readonly byData = new Map<Map<string, RedisValue>, DbSnap>();
  readonly startMs = Date.now();
  readonly dirtyAtStart: number;
  keysTotal = 0;
  keysProcessed = 0;
  aborted = false;
  /** Longest synchronous slice so far (ms), including copy-on-write copies. */
  maxSliceMs = 0;
  readonly done: Promise<boolean>;
  resolve!: (ok: boolean) => void;
  readonly target: SnapshotTarget;

  constructor(server: Server, target: SnapshotTarget) {
    this.target = target;
    this.dirtyAtStart = server.keyspace.dirty;
    for (const db of server.keyspace.dbs) {
      const snap: DbSnap = {
        id: db.id,
        data: db.data,
        expires: db.expires,
        size: db.data.size,
        expiresSize: db.expires.size,
        keys: [],
        capturing: true,
        saved: new Map(),
        finished: db.data.size === 0,
      };
      this.keysTotal += snap.size;
      this.dbs.push(snap);
      this.byData.set(db.data, snap);
    }
    this.done = new Promise((r) => this.resolve = r);
  }

  /**
   * Objects the walk has written: a later change to them needs no copy (this also spares
   * cloning a big list that is pushed to after it was saved).
   */
  readonly written = new WeakSet<object>();

  /** Copies out the start state of `key` in `snap` unless already copied or written. */
  preserve(snap: DbSnap, key: string): void {
    if (snap.finished || snap.saved.has(key)) return;
    const v = snap.data.get(key);
    if (v !== undefined && typeof v !== "string" && this.written.has(v)) return;
    snap.saved.set(key, {
      value: v === undefined || typeof v === "string" ? v : (v.clone ? v.clone() : v),
      expire: v === undefined ? undefined : snap.expires.get(key),
      early: snap.capturing,
      written: false,
    });
  }

  /** Records the length of a synchronous stretch. */
  noteSlice(ms: number): void {
    if (ms > this.maxSliceMs) this.maxSliceMs = ms;
  }

  /** Copies out every key not yet written (a write whose keys cannot be told). */
  preserveAll(): void {
    for (const snap of this.dbs) {
      if (snap.finished) continue;
      for (const key of snap.data.keys()) this.preserve(snap, key);
    }
  }
}

/** Persistence state of one server. */
export class Persistence {
  readonly #server: Server;
  #bg: BackgroundSave | null = null;
  // The last BGSAVE's task until it has fully ended (an aborted one still removes its file).
  #pending: Promise<boolean> | null = null;
  /** INFO rdb_saves: saves started since start-up or CONFIG RESETSTAT. */
  rdbSaves = 0;
  lastBgsaveOk = true;
  lastBgsaveTimeSec = -1;
  /** Unix seconds of the last BGSAVE attempt (save points wait after a failure). */
  lastBgsaveTry = 0;
  /** BGSAVE SCHEDULE (or one asked for inside MULTI) waiting to start. */
  bgsaveScheduled = false;
  /** True while a dump is being loaded. */
  loading = false;
  /** Progress of the load in progress (INFO loading_* fields). */
  loadingStart = 0;
  loadingTotalBytes = 0;
  loadedBytes = 0;
  loadingUsedMem = 0;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  /** Longest synchronous slice of the last finished BGSAVE, in ms (the stall it caused). */
  lastBgsaveMaxSliceMs = 0;
  /**
   * rdbPopulateSaveInfo, installed by replication: the repl-stream-db / repl-id / repl-offset
   * aux fields of a save, or null when this server has no replication history to record.
   */
  replSaveInfo: (() => [string, string][] | null) | null = null;
  /**
   * Installed by replication: called after the start-up RDB load with the file's replication
   * fields and, on a master, the keys skipped as expired (their DELs go to the backlog).
   */
  onStartupRdbLoaded: ((info: RdbReplInfo, expired: [number, string][]) => void) | null = null;
  /** The replication fields of the last RDB loaded. */
  loadedReplInfo: RdbReplInfo = { streamDb: -1, replId: "", offset: -1 };
  // Keys a master skipped as expired while loading at start-up, when collected.
  #expiredAtLoad: [number, string][] | null = null;

  constructor(server: Server) {
    this.#server = server;
    this.rdbPreambleWriters.push((w) => writeFunctionsRdb(w, server));
    server.saveForShutdown = () => this.#finalSave();
    server.shutdownHooks.push(() => this.#onShutdown());
    server.cronHooks.push(() => this.cron());
    server.resetStatsHooks.push(() => {
      this.rdbSaves = 0;
    });
    server.addInfoProvider("persistence", () => this.infoFields());
    this.aof = new Aof(server, this);
  }

  /** The append-only file (appendonly, BGREWRITEAOF, AOF loading). */
  readonly aof: Aof;

  /** True when writes must be refused with MISCONF (writeCommandsDeniedByDiskError). */
  writesDenied(): boolean {
    const c = this.#server.config;
    return !this.lastBgsaveOk && c.bool("stop-writes-on-bgsave-error") && c.get("save") !== "";
  }

  /**
   * writeCommandsDeniedByDiskError with writeCommandsGetDiskErrorMessage: the MISCONF text
   * writes (and PING) get while the dump (see writesDenied) or the AOF (a write or fsync that
   * failed) cannot be persisted, or null.
   */
  diskErrorMessage(): string | null {
    if (!this.lastBgsaveOk && this.writesDenied()) return MISCONF;
    const aof = this.aof.diskError;
    return aof === null ? null : misconfAof(aof);
  }

  /** True while a BGSAVE runs. */
  get bgsaveInProgress(): boolean {
    return this.#bg !== null && this.#bg.target.kind === "rdb";
  }

  /** The dump file's path: `dir`/`dbfilename`. */
  path(): string {
    return `${this.#dir()}/${this.#server.config.get("dbfilename")}`;
  }

  #dir(): string {
    const d = this.#server.config.get("dir");
    return d === "" ? Deno.cwd() : d;
  }

  /** The working directory (`dir`) the dump, the AOF directory and temp files are in. */
  dataDir(): string {
    return this.#dir();
  }

  // ------------------------------------------------------------------------------------------
  // Saving

  // The header and aux fields rdbSaveInfoAuxFields writes.
  // Extra fields (replication ids, aof-base) replace Redis's defaults of the same name.
  #writeHeader(w: RdbWriter, extra: [string, string][] = []): void {
    w.header(C.RDB_VERSION);
    const m = Deno.memoryUsage();
    const fields: [string, string][] = [
      ["redis-ver", REDIS_VERSION],
      ["redis-bits", "64"],
      ["ctime", String(Math.floor(Date.now() / 1000))],
      ["used-mem", String(m.heapUsed + m.external)],
    ];
    for (const [k, v] of extra) {
      const i = fields.findIndex((f) => f[0] === k);
      if (i >= 0) fields[i] = [k, v];
      else fields.push([k, v]);
    }
    // An AOF base records no replication info (rdbSaveRio with a NULL rsi); nor does a target
    // that brings its own (a replica's full resync).
    if (!extra.some((f) => f[0] === "aof-base" || f[0] === "repl-id")) {
      const repl = this.replSaveInfo?.() ?? null;
      if (repl !== null) fields.push(...repl);
    }
    if (!fields.some((f) => f[0] === "aof-base")) fields.push(["aof-base", "0"]);
    for (const [k, v] of fields) w.aux(k, v);
    for (const write of this.rdbPreambleWriters) write(w);
  }

  /**
   * Writers of what Redis puts between the aux fields and the first database (function
   * libraries), installed by their subsystems.
   */
  readonly rdbPreambleWriters: ((w: RdbWriter) => void)[] = [];

  #writeEntry(
    w: RdbWriter,
    lim: EncodingLimits,
    key: string,
    value: RedisValue,
    expire: number | undefined,
  ): void {
    if (expire !== undefined) {
      w.byte(C.RDB_OPCODE_EXPIRETIME_MS);
      w.millis(expire);
    }
    // The LRU idle time or LFU counter, under a policy of that kind (store/evict.ts).
    const access = rdbAccessFields(this.#server, w.dbId, key, value);
    if (access !== null) {
      if (access.idle >= 0) {
        w.byte(C.RDB_OPCODE_IDLE);
        w.len(access.idle);
      } else {
        w.byte(C.RDB_OPCODE_FREQ);
        w.byte(access.freq);
      }
    }
    writeValue(w, value, lim, key);
  }

  /**
   * Serialises the whole keyspace synchronously into `w` (SAVE, DEBUG RELOAD, an AOF preamble
   * written in one go); `aux` as SnapshotTarget.aux.
   */
  serialize(w: RdbWriter, aux: [string, string][] = []): void {
    const lim = encodingLimits(this.#server.config);
    this.#writeHeader(w, aux);
    for (const db of this.#server.keyspace.dbs) {
      if (db.data.size === 0) continue;
      w.byte(C.RDB_OPCODE_SELECTDB);
      w.len(db.id);
      w.dbId = db.id;
      w.byte(C.RDB_OPCODE_RESIZEDB);
      w.len(db.data.size);
      w.len(db.expires.size);
      const exp = db.expires;
      const hasExp = exp.size !== 0;
      for (const [k, v] of db.data) this.#writeEntry(w, lim, k, v, hasExp ? exp.get(k) : undefined);
    }
    w.finish(this.#server.config.bool("rdbchecksum"));
  }

  /**
   * SAVE: writes the dump synchronously (temp file, fsync, rename).
   * @returns true on success (errors are logged)
   */
  save(): boolean {
    this.rdbSaves++;
    const dir = this.#dir();
    const tmpName = `temp-${Deno.pid}.rdb`;
    const tmp = `${dir}/${tmpName}`;
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(tmp, { write: true, create: true, truncate: true });
    } catch (err) {
      log.warning(
        `Failed opening the temp RDB file ${tmpName} (in server root dir ${dir}) for saving: ${
          errText(err)
        }`,
      );
      return false;
    }
    try {
      const w = new RdbWriter((chunk) => writeAllSync(file, chunk), this.#compression());
      this.serialize(w);
      file.syncSync();
      file.close();
    } catch (err) {
      log.warning(`Write error saving DB on disk: ${errText(err)}`);
      tryClose(file);
      tryRemoveSync(tmp);
      return false;
    }
    if (!this.#rename(tmp, tmpName, dir)) return false;
    log.notice("DB saved on disk");
    this.#saved(this.#server.keyspace.dirty);
    return true;
  }

  #compression(): boolean {
    return this.#server.config.bool("rdbcompression");
  }

  #rename(tmp: string, tmpName: string, dir: string): boolean {
    const dest = this.path();
    try {
      Deno.renameSync(tmp, dest);
    } catch (err) {
      log.warning(
        `Error moving temp DB file ${tmpName} on the final destination ${
          this.#server.config.get("dbfilename")
        } (in server root dir ${dir}): ${errText(err)}`,
      );
      tryRemoveSync(tmp);
      return false;
    }
    // The rename itself must reach the disk too (fsyncFileDir).
    try {
      const d = Deno.openSync(dir, { read: true });
      try {
        d.syncSync();
      } finally {
        d.close();
      }
    } catch {
      // Some filesystems cannot fsync a directory; Redis only logs this too.
    }
    return true;
  }

  // After a successful save: the changes it covers (those before it started) no longer count.
  #saved(dirtyAtStart: number): void {
    const ks = this.#server.keyspace;
    ks.dirty = Math.max(0, ks.dirty - dirtyAtStart);
    this.#server.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
  }

  /**
   * BGSAVE: starts a background save of the dump file.
   * @returns false when a background snapshot (of any kind) is already running
   */
  bgsave(): boolean {
    if (this.#bg !== null) return false;
    this.rdbSaves++;
    this.lastBgsaveTry = Math.floor(Date.now() / 1000);
    log.notice(`Background saving started by pid ${Deno.pid}`);
    this.startSnapshot(this.#fileTarget());
    return true;
  }

  /**
   * Starts a background snapshot into `target`.
   * @returns its outcome (true: every byte written and `finish` succeeded), or null when a
   * snapshot is already running
   */
  startSnapshot(target: SnapshotTarget): Promise<boolean> | null {
    if (this.#bg !== null) return null;
    const bg = new BackgroundSave(this.#server, target);
    this.#bg = bg;
    this.#server.beforeWrite = (ctx, cmd, argv) => this.#beforeWrite(bg, ctx, cmd, argv);
    const pending = this.#runBackground(bg).then((ok) => {
      bg.resolve(ok);
      if (this.#pending === pending) this.#pending = null;
      for (const f of this.snapshotEndHooks.splice(0)) f();
      return ok;
    });
    this.#pending = pending;
    return pending;
  }

  /** Run once when the running snapshot ends (a queued BGREWRITEAOF or replica sync). */
  readonly snapshotEndHooks: (() => void)[] = [];

  /** The kind of the background snapshot running, or null. */
  get snapshotKind(): "rdb" | "aof" | null {
    return this.#bg === null ? null : this.#bg.target.kind;
  }

  // BGSAVE's target: a temp file, fsynced and renamed over the dump when complete.
  #fileTarget(): SnapshotTarget {
    const dir = this.#dir();
    // Not SAVE's name: an aborted BGSAVE may still be finishing a write when SHUTDOWN saves.
    const tmpName = `temp-bg-${Deno.pid}.rdb`;
    const tmp = `${dir}/${tmpName}`;
    let file: Deno.FsFile | null = null;
    let opened = false;
    return {
      kind: "rdb",
      write: async (chunk) => {
        if (file === null) {
          file = await Deno.open(tmp, { write: true, create: true, truncate: true });
          opened = true;
        }
        let o = 0;
        while (o < chunk.length) o += await file.write(chunk.subarray(o));
      },
      finish: async () => {
        const f = file!;
        await f.sync();
        f.close();
        file = null;
        if (!this.#rename(tmp, tmpName, dir)) return false;
        log.notice("DB saved on disk");
        return true;
      },
      discard: async () => {
        if (file !== null) tryClose(file);
        file = null;
        if (opened) await Deno.remove(tmp).catch(() => {});
      },
    };
  }

  /**
   * Resolves when the running (or aborted, still cleaning up) BGSAVE ends: true when it
   * succeeded.
   */
  waitBgsave(): Promise<boolean> {
    return this.#pending ?? Promise.resolve(this.lastBgsaveOk);
  }

  // Called by the dispatcher before each write command while a BGSAVE runs.
  #beforeWrite(bg: BackgroundSave, ctx: Ctx, cmd: Command, argv: string[]): void {
    const t0 = performance.now();
    try {
      this.#preserveKeys(bg, ctx, cmd, argv);
    } catch (err) {
      // Never fail the user's command: keep every unwritten key instead.
      log.warning(`BGSAVE copy-on-write failed for '${cmd.name}': ${(err as Error).message}`);
      bg.preserveAll();
    }
    bg.noteSlice(performance.now() - t0);
  }

  #preserveKeys(bg: BackgroundSave, ctx: Ctx, cmd: Command, argv: string[]): void {
    const name = cmd.name;
    if (name === "flushall" || name === "flushdb" || name === "swapdb") return;
    const keys = getKeyPositions(cmd, argv);
    if (keys === null) {
      // A write that names no keys: keep every unwritten key as it is now.
      if (!cmd.spec.keySpecs?.length && cmd.spec.keys === undefined && !cmd.spec.getKeys) {
        bg.preserveAll();
      }
    } else {
      // MOVE and COPY ... DB also write to another database.
      const all = name === "move" || name === "copy";
      const own = bg.byData.get(ctx.db.data);
      for (const [pos] of keys) {
        const key = argv[pos];
        if (all) { for (const snap of bg.dbs) bg.preserve(snap, key); }
        else if (own !== undefined) bg.preserve(own, key);
      }
    }
  }

  async #runBackground(bg: BackgroundSave): Promise<boolean> {
    const target = bg.target;
    let ok = false;
    let failure: unknown = null;
    try {
      const pending: Uint8Array[] = [];
      const flush = async () => {
        for (const chunk of pending.splice(0)) await target.write(chunk);
      };
      const w = new RdbWriter((chunk) => pending.push(chunk.slice()), this.#compression());
      const lim = encodingLimits(this.#server.config);
      this.#writeHeader(w, target.aux);
      for (const snap of bg.dbs) {
        if (snap.finished) continue;
        w.byte(C.RDB_OPCODE_SELECTDB);
        w.len(snap.id);
        w.dbId = snap.id;
        w.byte(C.RDB_OPCODE_RESIZEDB);
        w.len(snap.size);
        w.len(snap.expiresSize);
        // Phase 1: capture the key list.
        const it = snap.data.keys();
        const keys = snap.keys;
        let more = true;
        while (more) {
          if (bg.aborted) throw new Error("aborted");
          const t0 = performance.now();
          for (let n = 0;; n++) {
            const r = it.next();
            if (r.done) {
              more = false;
              break;
            }
            keys.push(r.value);
            if ((n & 1023) === 1023 && performance.now() - t0 > SLICE_MS) break;
          }
          bg.noteSlice(performance.now() - t0);
          await yieldToLoop();
        }
        snap.capturing = false;
        // Phase 2: write them, from their copies where they changed.
        const saved = snap.saved;
        // rdb-key-save-delay (µs per key, a testing aid): one key per slice, then a pause.
        const delay = this.#server.config.num("rdb-key-save-delay");
        for (let i = 0; i < keys.length;) {
          if (bg.aborted) throw new Error("aborted");
          const t0 = performance.now();
          for (let n = 0; i < keys.length; n++) {
            const k = keys[i++];
            const s = saved.size === 0 ? undefined : saved.get(k);
            if (s === undefined) {
              const v = snap.data.get(k);
              // Gone without a copy: only expiry deletes that way (the key had expired).
              if (v !== undefined) {
                if (typeof v !== "string") bg.written.add(v);
                this.#writeEntry(w, lim, k, v, snap.expires.get(k));
              }
            } else if (!s.written) {
              s.written = true;
              if (s.value !== undefined) this.#writeEntry(w, lim, k, s.value, s.expire);
            }
            bg.keysProcessed++;
            if (delay > 0 || ((n & 63) === 63 && performance.now() - t0 > SLICE_MS)) break;
          }
          bg.noteSlice(performance.now() - t0);
          await flush();
          if (delay > 0) await new Promise((r) => setTimeout(r, delay / 1000));
          else await yieldToLoop();
        }
        // Keys deleted before the capture reached them.
        const t0 = performance.now();
        snap.finished = true;
        for (const [k, s] of saved) {
          if (s.early && !s.written && s.value !== undefined) {
            this.#writeEntry(w, lim, k, s.value, s.expire);
          }
        }
        saved.clear();
        snap.keys = [];
        bg.noteSlice(performance.now() - t0);
        await flush();
      }
      if (bg.aborted) throw new Error("aborted");
      this.#server.beforeWrite = null;
      w.finish(this.#server.config.bool("rdbchecksum"));
      await flush();
      if (bg.aborted) throw new Error("aborted");
      ok = await target.finish();
    } catch (err) {
      failure = err;
    }
    if (!ok) await target.discard();
    if (this.#bg === bg) {
      this.#bg = null;
      this.#server.beforeWrite = null;
    }
    if (target.kind !== "rdb" || target.socket) return ok && !bg.aborted;
    if (failure !== null && !bg.aborted) {
      log.warning(`Write error saving DB on disk: ${errText(failure)}`);
    }
    this.lastBgsaveMaxSliceMs = bg.maxSliceMs;
    if (bg.aborted) return false;
    this.lastBgsaveTimeSec = Math.round((Date.now() - bg.startMs) / 1000);
    if (ok) {
      log.notice("Background saving terminated with success");
      this.#saved(bg.dirtyAtStart);
    } else {
      log.warning("Background saving error");
      this.lastBgsaveOk = false;
    }
    return ok;
  }

  /**
   * Stops the running background snapshot and drops its output (killRDBChild,
   * killAppendOnlyChild).
   */
  abortBgsave(): Promise<boolean> {
    const bg = this.#bg;
    if (bg === null) return Promise.resolve(true);
    bg.aborted = true;
    this.#bg = null;
    this.#server.beforeWrite = null;
    return bg.done;
  }

  /** Save points and scheduled BGSAVEs, from the server cron (serverCron). */
  // In serverCron's order: a scheduled AOF rewrite first, then save points and the automatic
  // AOF rewrite, the AOF's fsync and retries, and last a scheduled BGSAVE.
  cron(): void {
    const aof = this.aof;
    if (this.#bg === null) aof.startScheduled();
    const now = Math.floor(Date.now() / 1000);
    const retryOk = now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY || this.lastBgsaveOk;
    if (this.#bg === null) {
      const spec = this.#server.config.get("save");
      const dirty = this.#server.keyspace.dirty;
      const parts = spec === "" ? [] : spec.split(" ");
      for (let i = 0; i + 1 < parts.length; i += 2) {
        const seconds = Number(parts[i]);
        const changes = Number(parts[i + 1]);
        if (dirty >= changes && now - this.#server.lastSave > seconds && retryOk) {
          log.notice(`${changes} changes in ${seconds} seconds. Saving...`);
          this.bgsave();
          break;
        }
      }
      if (this.#bg === null) aof.autoRewrite();
    }
    aof.cron();
    if (this.#bg === null && this.bgsaveScheduled && retryOk) {
      this.bgsaveScheduled = false;
      this.bgsave();
    }
  }

  // SHUTDOWN's synchronous final save: a running BGSAVE is dropped first, as Redis kills its
  // child.
  // An AOF rewrite may go on: SAVE does not conflict with it; the shutdown hook drops it.
  #finalSave(): boolean {
    if (this.bgsaveInProgress) {
      log.warning("There is a child saving an .rdb. Killing it!");
      this.abortBgsave();
    }
    return this.save();
  }

  // prepareForShutdown's order: drop a BGSAVE, then the AOF (drop a rewrite, write and fsync),
  // then the final save.
  async #onShutdown(): Promise<void> {
    const server = this.#server;
    if (this.bgsaveInProgress) {
      log.warning("There is a child saving an .rdb. Killing it!");
      this.abortBgsave();
    }
    await this.aof.shutdown();
    if (this.#pending !== null) await this.#pending;
    if (server.shutdownSaveDone || server.config.get("save") === "") return;
    log.notice("Saving the final RDB snapshot before exiting.");
    if (!this.save()) log.warning("Error trying to save the DB, can't exit.");
    server.shutdownSaveDone = true;
  }

  // ------------------------------------------------------------------------------------------
  // Loading

  /**
   * Loads `path` (default: the dump file) into the databases synchronously, logging as Redis
   * does. Expired keys are skipped on a master. A key that already exists is an error unless
   * `merge` (DEBUG RELOAD MERGE), which replaces it.
   * @returns the outcome; a missing file is a success with `missing` set
   */
  load(path = this.path(), merge = false): LoadResult {
    const run = this.#startLoad(path, merge);
    if (!("steps" in run)) return run;
    try {
      for (;;) if (run.steps.next().done) break;
    } catch (err) {
      return run.failed(err);
    }
    return run.finished();
  }

  /**
   * Like `load`, but gives the event loop a turn every `loading-process-events-interval-bytes`
   * so clients are answered meanwhile (commands without the loading flag get -LOADING, INFO
   * shows loading:1), as Redis's processEventsWhileBlocked does.
   */
  async loadAsync(path = this.path()): Promise<LoadResult> {
    const run = this.#startLoad(path, false);
    if (!("steps" in run)) return run;
    const interval = this.#server.config.num("loading-process-events-interval-bytes");
    let next = interval;
    try {
      for (;;) {
        const r = run.steps.next();
        if (r.done) break;
        this.loadedBytes = r.value;
        if (r.value >= next) {
          next = r.value + interval;
          await yieldToLoop();
        }
      }
    } catch (err) {
      return run.failed(err);
    }
    return run.finished();
  }

  // The shared part of `load` and `loadAsync`: reads the file and prepares the steps.
  #startLoad(path: string, merge: boolean): LoadResult | RdbLoad {
    let data: Uint8Array;
    try {
      data = Deno.readFileSync(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        return { ok: true, missing: true, keys: 0, expired: 0 };
      }
      return {
        ok: false,
        message: `Fatal error loading the DB: ${errText(err)}. Exiting.`,
        shortRead: false,
      };
    }
    return this.rdbLoader(data, { source: path, merge });
  }

  /**
   * Prepares loading RDB bytes into the databases (rdbLoadRio), logging as Redis does: run
   * `steps` to the end (each step yields the offset reached; the return value says where the
   * RDB ends), then call `finished`, or `failed` with what a step threw. A dump's load owns
   * the loading state (INFO loading:1); an AOF base file's (`aofBase`) leaves it to the AOF
   * loader and keeps keys that already expired, as RDBFLAGS_AOF_PREAMBLE does (the AOF's own
   * commands and expiry deal with them).
   */
  rdbLoader(data: Uint8Array, opts: RdbLoadOptions): RdbLoad {
    const path = opts.source;
    const merge = opts.merge ?? false;
    const aofBase = opts.aofBase ?? false;
    const server = this.#server;
    const lim = encodingLimits(server.config);
    const dbs = server.keyspace.dbs;
    const master = !server.isReplica();
    const start = performance.now();
    const now = Date.now();
    let keys = 0;
    let expired = 0;
    let emptySkipped = 0;
    const rsi: RdbReplInfo = { streamDb: -1, replId: "", offset: -1 };
    this.loadedReplInfo = rsi;
    if (!aofBase) {
      this.loading = true;
      this.loadingStart = Math.floor(now / 1000);
      this.loadingTotalBytes = data.length;
      this.loadedBytes = 0;
      this.loadingUsedMem = 0;
    }
    const steps = readRdbSteps(data, {
      aux: (k, v) => {
        if (k === "redis-ver") log.notice(`Loading RDB produced by version ${v}`);
        else if (k === "ctime") {
          const age = Math.floor(now / 1000) - Number(v);
          log.notice(`RDB age ${age < 0 ? 0 : age} seconds`);
        } else if (k === "used-mem") {
          this.loadingUsedMem = Number(v);
          log.notice(`RDB memory usage when created ${(Number(v) / 1024 / 1024).toFixed(2)} Mb`);
        } else if (k === "aof-base" && parseInt(v, 10)) log.notice("RDB is base AOF");
        // rdbLoadRio: atoi / strtoll, and a repl-id only when it has the right length.
        else if (k === "repl-stream-db") rsi.streamDb = parseInt(v, 10) || 0;
        else if (k === "repl-id" && v.length === 40) rsi.replId = v;
        else if (k === "repl-offset") rsi.offset = parseInt(v, 10) || 0;
      },
      functionCode: (code) => loadFunctionRdb(server, code, merge),
      key: (dbId, key, obj, expireAt, idle, freq) => {
        const db = (opts.targets ?? dbs)[dbId];
        if (master && !aofBase && expireAt !== -1 && expireAt < now) {
          expired++;
          this.#expiredAtLoad?.push([dbId, key]);
          return;
        }
        const v = fromRdb(obj, lim);
        if (v === null) {
          if (emptySkipped++ < 10) log.warning(`rdbLoadObject skipping empty key: ${key}`);
          return;
        }
        // One hash lookup per key: a set that does not grow the map found a duplicate.
        const data = db.data;
        const n = data.size;
        data.set(key, v);
        if (data.size === n) {
          if (!merge) throw new Error(`RDB has duplicated key '${key}' in DB ${dbId}`);
          db.expires.delete(key);
          db.rawStrings.delete(key);
        }
        if (expireAt !== -1) db.expires.set(key, expireAt);
        if (idle !== -1 || freq !== -1) setAccess(db, key, idle, freq);
        keys++;
      },
    }, { maxDb: dbs.length, verifyChecksum: server.config.bool("rdbchecksum") });
    return {
      steps,
      failed: (err) => {
        if (!aofBase) this.loading = false;
        if (err instanceof RdbFormatError) {
          return {
            ok: false,
            message: `Bad RDB file '${path}' at offset ${err.offset}: ${err.message}`,
            shortRead: err.message.startsWith("Unexpected EOF"),
          };
        }
        // A function library that does not load (rdbFunctionLoad's error) fails the load.
        if (err instanceof Error && err.message.startsWith("Failed loading library")) {
          return { ok: false, message: `Bad RDB file '${path}': ${err.message}`, shortRead: false };
        }
        throw err;
      },
      finished: () => {
        if (!aofBase) this.loading = false;
        this.lastLoadKeysLoaded = keys;
        this.lastLoadKeysExpired = expired;
        log.notice(`Done loading RDB, keys loaded: ${keys}, keys expired: ${expired}.`);
        if (!aofBase) {
          log.notice(
            `DB loaded from disk: ${((performance.now() - start) / 1000).toFixed(3)} seconds`,
          );
        }
        return { ok: true, missing: false, keys, expired };
      },
    };
  }

  /**
   * Start-up load (in steps, serving -LOADING meanwhile): on failure logs the error (naming
   * file and offset) and returns false; the caller must then exit without serving a partial
   * dataset.
   */
  async loadAtStartup(): Promise<boolean> {
    // The AOF manifest is read whether or not AOF is on (a later BGREWRITEAOF or CONFIG SET
    // appendonly yes continues its numbering); a malformed one is fatal either way.
    if (!this.aof.loadManifest()) return this.#startupFailed();
    // loadDataFromDisk: with appendonly yes the AOF is the dataset, even when it does not
    // exist yet and a dump does (Redis 7.0 then starts empty and writes a new AOF).
    if (this.#server.config.bool("appendonly")) {
      return (await this.aof.loadAtStartup()) || this.#startupFailed();
    }
    this.#expiredAtLoad = [];
    const r = await this.loadAsync();
    const expired = this.#expiredAtLoad;
    this.#expiredAtLoad = null;
    if (r.ok) {
      this.aof.delHistoryFiles();
      this.onStartupRdbLoaded?.(
        r.missing ? { streamDb: -1, replId: "", offset: -1 } : this.loadedReplInfo,
        expired,
      );
      return true;
    }
    if (r.shortRead) {
      log.warning("Short read or OOM loading DB. Unrecoverable error, aborting now.");
    }
    log.warning(r.message);
    return this.#startupFailed();
  }

  #startupFailed(): boolean {
    for (const db of this.#server.keyspace.dbs) db.clear();
    // Nothing may overwrite the dump with the partial dataset on the way out.
    this.#server.shutdownSaveDone = true;
    return false;
  }

  // ------------------------------------------------------------------------------------------
  // INFO

  // The fields Redis appends to INFO persistence while loading.
  #loadingFields(now: number): [string, string | number][] {
    if (!this.loading) return [];
    const elapsed = now / 1000 - this.loadingStart;
    const total = this.loadingTotalBytes;
    const done = this.loadedBytes;
    const perc = total === 0 ? 0 : (done / total) * 100;
    const eta = done === 0 ? 1 : Math.floor((total - done) / (done / Math.max(elapsed, 0.001)));
    return [
      ["loading_start_time", this.loadingStart],
      ["loading_total_bytes", total],
      ["loading_rdb_used_mem", this.loadingUsedMem],
      ["loading_loaded_bytes", done],
      ["loading_loaded_perc", perc.toFixed(2)],
      ["loading_eta_seconds", eta],
    ];
  }

  /** The INFO persistence fields this subsystem owns. */
  infoFields(): [string, string | number][] {
    const bg = this.#bg;
    const rdb = bg !== null && bg.target.kind === "rdb";
    const now = Date.now();
    // The aof_* fields (and with AOF on the extra ones appended after module_fork_*) come
    // before the loading_* fields, as genRedisInfoString writes them.
    return [
      ["loading", this.loading ? 1 : 0],
      ["current_save_keys_processed", bg ? bg.keysProcessed : 0],
      ["current_save_keys_total", bg ? bg.keysTotal : 0],
      ["rdb_changes_since_last_save", this.#server.keyspace.dirty],
      ["rdb_bgsave_in_progress", rdb ? 1 : 0],
      ["rdb_last_save_time", this.#server.lastSave],
      ["rdb_last_bgsave_status", this.lastBgsaveOk ? "ok" : "err"],
      ["rdb_last_bgsave_time_sec", this.lastBgsaveTimeSec],
      ["rdb_current_bgsave_time_sec", rdb ? Math.round((now - bg.startMs) / 1000) : -1],
      ["rdb_saves", this.rdbSaves],
      ["rdb_last_load_keys_expired", this.lastLoadKeysExpired],
      ["rdb_last_load_keys_loaded", this.lastLoadKeysLoaded],
      ...this.aof.infoFields(),
      ...this.#loadingFields(now),
    ];
  }
}

/** Hook type the dispatcher calls before write commands (see Server.beforeWrite). */
export type BeforeWrite = (ctx: Ctx, cmd: Command, argv: string[]) => void;

function writeAllSync(f: Deno.FsFile, b: Uint8Array): void {
  let o = 0;
  while (o < b.length) o += f.writeSync(b.subarray(o));
}

function tryClose(f: Deno.FsFile): void {
  try {
    f.close();
  } catch {
    // already closed
  }
}

function tryRemoveSync(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // already gone
  }
}

function errText(err: unknown): string {
  const e = err as Error;
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  return e.message ?? String(e);
}

// Lets pending I/O (client reads and writes) run between slices. A timer rather than
// setImmediate or a MessageChannel: chained zero timeouts are clamped to a few ms, and that
// idle gap is what lets every waiting client be served promptly (measured: shorter yields made
// the slowest command during a BGSAVE several times slower).
function yieldToLoop(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}
