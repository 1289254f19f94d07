// The append-only file, Redis 7.0's multi-part layout (aof.c): in `appenddirname`, a manifest
// naming one BASE file (an RDB with aof-base=1, or commands when aof-use-rdb-preamble is no)
// and the INCR files that log every write since. Writes reach us through a propagation sink;
// they are buffered per event-loop turn and written (and with appendfsync always, fsynced)
// before any reply acknowledging them leaves (Server.beforeReplyHooks); everysec fsyncs in the
// background at most a second later, from the server cron.
//
// A rewrite (BGREWRITEAOF, auto-aof-rewrite-*, CONFIG SET appendonly yes) opens a new INCR
// file at once, so writes made while it runs land there, and takes a background snapshot
// (snapshotter.ts) into a temp file that becomes the new BASE; the manifest is then replaced
// atomically (temp file, fsync, rename) and the files it no longer names are deleted.
//
// Durability: with `always` no acknowledged write is lost, even to a power failure; with
// `everysec` and `no` every acknowledged write is already in the kernel when the client hears
// of it, so killing the process loses nothing, and a machine crash loses at most the last
// second (everysec) or what the kernel had not flushed yet (no).

import { ConfigError } from "../config.ts";
import { AOF_ENABLE_FAILED } from "../errors.ts";
import { log } from "../log.ts";
import { StreamSink } from "../replication/propagator.ts";
import type { Server } from "../server.ts";
import { bytesToStr, strToBytes } from "../util/bytes.ts";
import { type AofLoadStatus, loadAofFile } from "./aof_loader.ts";
import {
  type AofManifest,
  copyManifest,
  emptyManifest,
  formatManifest,
  ManifestError,
  manifestName,
  markIncrAsHistory,
  newBaseName,
  newIncrName,
  parseManifest,
  tempIncrName,
  tempManifestName,
} from "./aof_manifest.ts";
import { rdbToCommands } from "./aof_rewrite.ts";
import { RdbWriter } from "./rdb/writer.ts";
import type { Persistence, SnapshotTarget } from "./snapshotter.ts";

/** AOF_OFF, AOF_ON, AOF_WAIT_REWRITE (enabled at run time, waiting for its first base). */
export type AofState = "off" | "on" | "wait_rewrite";

// AOF_REWRITE_LIMITE_THRESHOLD / _MAX_MINUTES: after 3 failed rewrites in a row, automatic
// ones wait 1, 2, 4 ... up to 60 minutes.
const LIMIT_THRESHOLD = 3;
const LIMIT_MAX_MINUTES = 60;
// AOF_WRITE_LOG_ERROR_RATE: seconds between two logs of the same write error.
const WRITE_ERROR_LOG_RATE = 30;
// Longest synchronous stretch while converting a snapshot to commands, in ms.
const SLICE_MS = 4;

// The sink the propagator feeds: SELECT on db changes comes from StreamSink, the timestamp
// annotation (aof-timestamp-enabled) goes before it, as feedAppendOnlyFile writes it.
class AofSink extends StreamSink {
  readonly #aof: Aof;
  constructor(aof: Aof) {
    super();
    this.#aof = aof;
  }

  override feed(dbId: number, argv: string[]): void {
    if (!this.#aof.accepting) return;
    this.#aof.annotate();
    super.feed(dbId, argv);
  }

  write(resp: string): void {
    this.#aof.append(resp);
  }
}

// One background rewrite.
interface Rewrite {
  /** Stopped by CONFIG SET appendonly, a restart of the rewrite or shutdown: ignore its end. */
  killed: boolean;
  /** The temp file in `dir` (temp-rewriteaof-bg-<pid>.aof). */
  tmpName: string;
  tmpPath: string;
  /** Base format, fixed when it started. */
  preamble: boolean;
  file: Deno.FsFile | null;
  /** Snapshot bytes kept for the conversion to commands (no preamble). */
  chunks: Uint8Array[];
}

/** The AOF of one server: state, files, rewrites, loading and INFO fields. */
export class Aof {
  readonly #server: Server;
  readonly #p: Persistence;
  readonly #sink: AofSink;
  state: AofState;
  /** The manifest as last persisted (or loaded). */
  manifest: AofManifest = emptyManifest();
  #file: Deno.FsFile | null = null;
  #buf = "";
  #flushQueued = false;
  #rewrite: Rewrite | null = null;
  #rewriteCount = 0;
  #fsyncing: Promise<void> | null = null;
  readonly #background = new Set<Promise<void>>();
  #curTimestamp = 0;
  #lastWriteErrorLog = 0;
  #limitDelayMinutes = 0;
  #limitUntil = 0;
  /** aof_current_size: the BASE and INCR files' bytes. */
  currentSize = 0;
  /** aof_rewrite_base_size: the size after the last rewrite (auto-rewrite growth base). */
  rewriteBaseSize = 0;
  /** Bytes written to the current INCR file. */
  lastIncrSize = 0;
  #fsyncOffset = 0;
  #lastFsync = 0;
  rewriteScheduled = false;
  /** Unix seconds when the running rewrite started, -1 when none. */
  rewriteStart = -1;
  lastRewriteTimeSec = -1;
  lastBgrewriteOk = true;
  rewrites = 0;
  consecutiveFailures = 0;
  lastWriteOk = true;
  /** strerror of the last write error (aof_last_write_errno), for MISCONF. */
  lastWriteError = "";
  /** strerror of a failed background fsync (aof_bio_fsync_status err), null once one works. */
  fsyncError: string | null = null;

  constructor(server: Server, persistence: Persistence) {
    this.#server = server;
    this.#p = persistence;
    this.#sink = new AofSink(this);
    this.state = server.config.bool("appendonly") ? "on" : "off";
    const config = server.config;
    const prev = config.onChange;
    config.onChange = (name, value) => {
      prev?.(name, value);
      if (name === "appendonly") this.#onAppendonly(value === "yes");
    };
    server.resetStatsHooks.push(() => {
      this.rewrites = 0;
    });
    server.addInfoProvider("memory", () => [["mem_aof_buffer", this.#buf.length]]);
  }

  /** True while writes are logged: AOF on, or enabled and its first rewrite running. */
  get accepting(): boolean {
    return this.state === "on" || (this.state === "wait_rewrite" && this.#rewrite !== null);
  }

  /**
   * The AOF half of writeCommandsDeniedByDiskError: while AOF is on, the strerror of a write
   * (or background fsync) that failed and has not succeeded since, else null.
   */
  get diskError(): string | null {
    if (this.state === "off") return null;
    return !this.lastWriteOk ? this.lastWriteError : this.fsyncError;
  }

  /** True while a background rewrite runs. */
  get rewriting(): boolean {
    return this.#rewrite !== null;
  }

  #dir(): string {
    return `${this.#p.dataDir()}/${this.#server.config.get("appenddirname")}`;
  }

  #fileName(): string {
    return this.#server.config.get("appendfilename");
  }

  // ------------------------------------------------------------------------------------------
  // Writing

  /** Appends RESP text (a byte string) to the buffer written before the next replies. */
  append(resp: string): void {
    if (this.#buf.length === 0 && !this.#flushQueued) {
      // Writes not followed by any reply (active expiry from the cron) are written at the end
      // of this turn; a reply in this turn writes them first (beforeReplyHooks).
      this.#flushQueued = true;
      queueMicrotask(this.#flushLater);
    }
    this.#buf += resp;
  }

  readonly #flushLater = (): void => {
    this.#flushQueued = false;
    this.flush();
  };

  // Group commit: every client with replies to send in this turn of the event loop waits for
  // one write (and fsync, for always) at its end, as Redis's beforeSleep writes once per loop
  // for all clients. A client finding the buffer empty and no commit pending sends at once:
  // everything before it is written already.
  readonly #beforeReply = (): Promise<void> | undefined => {
    if (this.#commit !== null) return this.#commit;
    if (this.#buf.length === 0) return undefined;
    this.#commit = new Promise((resolve) => {
      queueMicrotask(() => {
        this.#commit = null;
        this.flush();
        resolve();
      });
    });
    return this.#commit;
  };
  #commit: Promise<void> | null = null;

  /** Writes `#TS:<unix time>` before the next command when the second changed. */
  annotate(): void {
    if (!this.#server.config.bool("aof-timestamp-enabled")) return;
    const now = Math.floor(Date.now() / 1000);
    if (this.#curTimestamp < now) {
      this.#curTimestamp = now;
      this.append(`#TS:${now}\r\n`);
    }
  }

  /**
   * Writes the buffer to the current INCR file (flushAppendOnlyFile); with appendfsync always
   * also fsyncs it, exiting on failure as Redis does (the replies would lie otherwise).
   */
  flush(): void {
    const f = this.#file;
    if (this.#buf.length === 0 || f === null) return;
    const bytes = strToBytes(this.#buf);
    const always = this.#server.config.get("appendfsync") === "always";
    let written = 0;
    try {
      while (written < bytes.length) written += f.writeSync(bytes.subarray(written));
    } catch (err) {
      const msg = errText(err);
      if (always) {
        log.warning(
          "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...",
        );
        Deno.exit(1);
      }
      const now = Math.floor(Date.now() / 1000);
      if (now - this.#lastWriteErrorLog > WRITE_ERROR_LOG_RATE) {
        this.#lastWriteErrorLog = now;
        log.warning(`Error writing to the AOF file: ${msg}`);
      }
      // Keep what was not written and try again from the cron; writes get MISCONF meanwhile.
      this.lastWriteOk = false;
      this.lastWriteError = msg;
      this.currentSize += written;
      this.lastIncrSize += written;
      this.#buf = this.#buf.slice(written);
      return;
    }
    if (!this.lastWriteOk) {
      log.warning("AOF write error looks solved, Redis can write again.");
      this.lastWriteOk = true;
    }
    this.currentSize += written;
    this.lastIncrSize += written;
    this.#buf = "";
    if (this.#server.config.bool("no-appendfsync-on-rewrite") && this.#p.snapshotKind !== null) {
      return;
    }
    if (always) {
      try {
        f.syncDataSync();
      } catch (err) {
        log.warning(
          `Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${
            errText(err)
          }. Exiting...`,
        );
        Deno.exit(1);
      }
      this.#fsyncOffset = this.currentSize;
      this.#lastFsync = Date.now();
    } else {
      this.#everysecFsync();
    }
  }

  // everysec: an fsync in the background (Redis's bio thread) when a second has passed since
  // the last one and something was written since.
  #everysecFsync(): void {
    if (this.#server.config.get("appendfsync") !== "everysec") return;
    const f = this.#file;
    if (f === null || this.#fsyncing !== null || this.#fsyncOffset === this.currentSize) return;
    const now = Date.now();
    if (now - this.#lastFsync < 1000) return;
    this.#fsyncOffset = this.currentSize;
    this.#lastFsync = now;
    const p = f.syncData().then(() => {
      this.fsyncError = null;
    }, (err) => {
      // As the bio thread: EBADF / EINVAL mean the file cannot be fsynced, not that data is
      // lost; anything else denies writes until an fsync works (logged once).
      const code = (err as { code?: string }).code;
      if (code === "EBADF" || code === "EINVAL") return;
      if (this.fsyncError === null) log.warning(`Fail to fsync the AOF file: ${errText(err)}`);
      this.fsyncError = errText(err);
    }).finally(() => {
      if (this.#fsyncing === p) this.#fsyncing = null;
    });
    this.#fsyncing = p;
  }

  // Work in the background the shutdown waits for (closing a replaced INCR file, deletions).
  #track(p: Promise<void>): void {
    this.#background.add(p);
    p.finally(() => this.#background.delete(p));
  }

  // aof_background_fsync_and_close: the replaced INCR file is fsynced, then closed.
  #closeInBackground(f: Deno.FsFile): void {
    const prev = this.#fsyncing ?? Promise.resolve();
    this.#track(
      prev.then(() => f.syncData()).catch(() => {}).finally(() => tryClose(f)),
    );
  }

  // Starts feeding the sink and writing before replies.
  #attach(): void {
    const server = this.#server;
    server.propagator.sinks.add(this.#sink);
    if (!server.beforeReplyHooks.includes(this.#beforeReply)) {
      server.beforeReplyHooks.push(this.#beforeReply);
    }
  }

  #detach(): void {
    const server = this.#server;
    server.propagator.sinks.delete(this.#sink);
    const i = server.beforeReplyHooks.indexOf(this.#beforeReply);
    if (i >= 0) server.beforeReplyHooks.splice(i, 1);
  }

  // ------------------------------------------------------------------------------------------
  // Manifest and files

  // writeAofManifestFile: temp file, fsync, rename, fsync of the directory.
  #persistManifest(m: AofManifest): boolean {
    const dir = this.#dir();
    const name = manifestName(this.#fileName());
    const tmpName = tempManifestName(this.#fileName());
    let f: Deno.FsFile;
    try {
      f = Deno.openSync(`${dir}/${tmpName}`, { write: true, create: true, truncate: true });
    } catch (err) {
      log.warning(`Can't open the AOF manifest file ${tmpName}: ${errText(err)}`);
      return false;
    }
    try {
      try {
        writeAllSync(f, strToBytes(formatManifest(m)));
      } catch (err) {
        log.warning(
          `Error trying to write the temporary AOF manifest file ${tmpName}: ${errText(err)}`,
        );
        return false;
      }
      try {
        f.syncSync();
      } catch (err) {
        log.warning(`Fail to fsync the temp AOF file ${tmpName}: ${errText(err)}.`);
        return false;
      }
    } finally {
      tryClose(f);
    }
    try {
      Deno.renameSync(`${dir}/${tmpName}`, `${dir}/${name}`);
    } catch (err) {
      log.warning(
        `Error trying to rename the temporary AOF manifest file ${tmpName} into ${name}: ${
          errText(err)
        }`,
      );
      return false;
    }
    fsyncDir(dir);
    return true;
  }

  /**
   * Reads the manifest at start-up (aofLoadManifestFromDisk), whether or not AOF is on: a
   * missing directory or manifest is an empty one; a malformed one is fatal.
   * @returns false after logging Redis's fatal manifest error
   */
  loadManifest(): boolean {
    const path = `${this.#dir()}/${manifestName(this.#fileName())}`;
    let text: string;
    try {
      text = bytesToStr(Deno.readFileSync(path));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return true;
      log.warning(
        `Fatal error: can't open the AOF manifest file ${path} for reading: ${errText(err)}`,
      );
      return false;
    }
    try {
      this.manifest = parseManifest(text);
      return true;
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      log.warning("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
      if (err.line !== null) {
        log.warning(`Reading the manifest file, at line ${err.lineNo}\n`);
        log.warning(`>>> '${err.line}'\n`);
      }
      log.warning(`${err.message}\n`);
      return false;
    }
  }

  /** Deletes the files the manifest keeps as history (aofDelHistoryFiles). */
  delHistoryFiles(): void {
    const m = this.manifest;
    if (this.#server.config.bool("aof-disable-auto-gc") || m.history.length === 0) return;
    const dir = this.#dir();
    for (const h of m.history) {
      log.notice(`Removing the history file ${h.name} in the background`);
      this.#track(Deno.remove(`${dir}/${h.name}`).catch(() => {}));
    }
    m.history = [];
    this.#persistManifest(m);
  }

  // aofUpgradePrepare: an AOF of Redis before 7.0 (one file named appendfilename in `dir`)
  // becomes the BASE of a new manifest and moves into the AOF directory.
  #upgrade(): boolean {
    const dir = this.#dir();
    const name = this.#fileName();
    try {
      Deno.mkdirSync(dir, { recursive: true });
    } catch (err) {
      log.warning(`Can't open or create append-only dir ${dir}: ${errText(err)}`);
      return false;
    }
    const m = this.manifest;
    m.base = { name, seq: 1, type: "b" };
    m.baseSeq = 1;
    if (!this.#persistManifest(m)) return false;
    try {
      Deno.renameSync(`${this.#p.dataDir()}/${name}`, `${dir}/${name}`);
    } catch (err) {
      log.warning(
        `Error trying to move the old AOF file ${name} into dir ${
          this.#server.config.get("appenddirname")
        }: ${errText(err)}`,
      );
      return false;
    }
    log.notice(
      `Successfully migrated an old-style AOF file (${name}) into the AOF directory (${
        this.#server.config.get("appenddirname")
      }).`,
    );
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // Start-up

  /**
   * With appendonly yes: loads the AOF instead of the dump (loadAppendOnlyFiles), then opens
   * the INCR file to append to, creating a BASE first when there is no AOF at all
   * (aofOpenIfNeededOnServerStart), and deletes history files.
   * @returns false when the server must not start (everything is logged)
   */
  async loadAtStartup(): Promise<boolean> {
    const start = performance.now();
    const r = await this.#loadFiles();
    if (r === "failed" || r === "open_err") return false;
    if (r !== "not_exist") {
      log.notice(
        `DB loaded from append only file: ${
          ((performance.now() - start) / 1000).toFixed(3)
        } seconds`,
      );
    }
    if (!this.#openOnStart()) return false;
    this.delHistoryFiles();
    return true;
  }

  async #loadFiles(): Promise<AofLoadStatus> {
    const m = this.manifest;
    const dir = this.#dir();
    const name = this.#fileName();
    if (exists(`${this.#p.dataDir()}/${name}`)) {
      const noFiles = m.base === null && m.incr.length === 0;
      const onlyOld = m.base !== null && m.incr.length === 0 && m.base.name === name &&
        !exists(`${dir}/${name}`);
      if (!isDir(dir) || noFiles || onlyOld) {
        if (!this.#upgrade()) return "failed";
      }
    }
    if (m.base === null && m.incr.length === 0) return "not_exist";
    const files = m.base === null ? [...m.incr] : [m.base, ...m.incr];
    let total = 0;
    const sizes: number[] = [];
    for (const f of files) {
      try {
        const size = Deno.statSync(`${dir}/${f.name}`).size;
        sizes.push(size);
        total += size;
      } catch (err) {
        log.warning(`Unable to obtain the AOF file ${f.name} length. stat: ${errText(err)}`);
        return "failed";
      }
    }
    if (total === 0) return "empty";
    const p = this.#p;
    p.loading = true;
    p.loadingStart = Math.floor(Date.now() / 1000);
    p.loadingTotalBytes = total;
    p.loadedBytes = 0;
    p.loadingUsedMem = 0;
    // The loaded commands must not reach replicas or any other sink, and no key expires
    // until the whole AOF is in (keyIsExpired while loading).
    const sinks = [...this.#server.propagator.sinks];
    this.#server.propagator.sinks.clear();
    this.#server.keyspace.loading = true;
    let ret: AofLoadStatus = "ok";
    let base = 0;
    try {
      for (let i = 0; i < files.length; i++) {
        const f = files[i];
        const last = i === files.length - 1;
        const t0 = performance.now();
        ret = await loadAofFile(this.#server, f.name, { dir, fileName: name, progressBase: base });
        base += sizes[i];
        if (ret === "ok" || (ret === "truncated" && last)) {
          log.notice(
            `DB loaded from ${f.type === "b" ? "base" : "incr"} file ${f.name}: ${
              ((performance.now() - t0) / 1000).toFixed(3)
            } seconds`,
          );
        }
        // Only the last file may be cut short; an empty INCR file is fine.
        if (ret === "empty" && f.type === "i") ret = "ok";
        if (ret === "truncated" && !last) {
          log.warning("Fatal error: the truncated file is not the last file");
          ret = "failed";
        }
        if (ret === "failed" || ret === "open_err") return ret;
        if (ret === "not_exist") return "failed";
      }
      this.currentSize = total;
      this.rewriteBaseSize = m.base === null ? 0 : sizes[0];
      this.#fsyncOffset = total;
      return ret;
    } finally {
      for (const s of sinks) this.#server.propagator.sinks.add(s);
      this.#server.keyspace.loading = false;
      p.loading = false;
    }
  }

  // aofOpenIfNeededOnServerStart
  #openOnStart(): boolean {
    if (this.state !== "on") return true;
    const dir = this.#dir();
    try {
      Deno.mkdirSync(dir, { recursive: true });
    } catch (err) {
      log.warning(`Can't open or create append-only dir ${dir}: ${errText(err)}`);
      return false;
    }
    const m = this.manifest;
    let changed = false;
    if (m.base === null && m.incr.length === 0) {
      const preamble = this.#server.config.bool("aof-use-rdb-preamble");
      const baseName = newBaseName(m, this.#fileName(), preamble);
      if (!this.#rewriteSync(`${dir}/${baseName}`, preamble)) return false;
      log.notice(`Creating AOF base file ${baseName} on server start`);
      changed = true;
    }
    const hadIncr = m.incr.length > 0;
    const name = hadIncr ? m.incr[m.incr.length - 1].name : newIncrName(m, this.#fileName());
    changed ||= !hadIncr;
    try {
      this.#file = Deno.openSync(`${dir}/${name}`, { append: true, create: true });
    } catch (err) {
      log.warning(`Can't open the append-only file ${name}: ${errText(err)}`);
      return false;
    }
    if (changed && !this.#persistManifest(m)) return false;
    try {
      this.lastIncrSize = Deno.statSync(`${dir}/${name}`).size;
    } catch {
      this.lastIncrSize = 0;
    }
    log.notice(`${hadIncr ? "Opening" : "Creating"} AOF incr file ${name} on server start`);
    this.#lastFsync = Date.now();
    this.#attach();
    return true;
  }

  // rewriteAppendOnlyFile: the whole dataset, synchronously, into `path` (temp file, fsync,
  // rename).
  #rewriteSync(path: string, preamble: boolean): boolean {
    const dataDir = this.#p.dataDir();
    const tmp = `${dataDir}/temp-rewriteaof-${Deno.pid}.aof`;
    let f: Deno.FsFile;
    try {
      f = Deno.openSync(tmp, { write: true, create: true, truncate: true });
    } catch (err) {
      log.warning(
        `Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${errText(err)}`,
      );
      return false;
    }
    try {
      const file = f;
      if (preamble) {
        const w = new RdbWriter((chunk) => writeAllSync(file, chunk), this.#compression());
        this.#p.serialize(w, [["aof-base", "1"]]);
      } else {
        const w = new RdbWriter(null, false);
        this.#p.serialize(w);
        const out = (text: string) => writeAllSync(file, strToBytes(text));
        for (const _ of rdbToCommands(w.toBytes(), out, this.#timestampStart())) {
          // every key is written as it is reached
        }
      }
      f.syncSync();
      f.close();
    } catch (err) {
      log.warning(`Write error writing append only file on disk: ${errText(err)}`);
      tryClose(f);
      tryRemoveSync(tmp);
      return false;
    }
    try {
      Deno.renameSync(tmp, path);
    } catch (err) {
      log.warning(
        `Error moving temp append only file on the final destination: ${errText(err)}`,
      );
      tryRemoveSync(tmp);
      return false;
    }
    return true;
  }

  #compression(): boolean {
    return this.#server.config.bool("rdbcompression");
  }

  // A rewrite starts its command form with a timestamp when aof-timestamp-enabled.
  #timestampStart(): number {
    return this.#server.config.bool("aof-timestamp-enabled") ? Math.floor(Date.now() / 1000) : -1;
  }

  // ------------------------------------------------------------------------------------------
  // Rewrites

  /**
   * Starts a background rewrite (rewriteAppendOnlyFileBackground).
   * @returns false when it could not start (logged); the caller checks no snapshot runs
   */
  rewriteBackground(): boolean {
    if (this.#p.snapshotKind !== null) return false;
    const dir = this.#dir();
    try {
      Deno.mkdirSync(dir, { recursive: true });
    } catch (err) {
      log.warning(`Can't open or create append-only dir ${dir}: ${errText(err)}`);
      this.lastBgrewriteOk = false;
      return false;
    }
    // The new INCR file starts with a SELECT.
    this.#sink.selectedDb = -1;
    this.flush();
    if (!this.#openNewIncr()) {
      this.lastBgrewriteOk = false;
      return false;
    }
    this.rewrites++;
    const tmpName = `temp-rewriteaof-bg-${Deno.pid}${
      this.#rewriteCount++ === 0 ? "" : `-${this.#rewriteCount}`
    }.aof`;
    const rw: Rewrite = {
      killed: false,
      tmpName,
      tmpPath: `${this.#p.dataDir()}/${tmpName}`,
      preamble: this.#server.config.bool("aof-use-rdb-preamble"),
      file: null,
      chunks: [],
    };
    const done = this.#p.startSnapshot(this.#target(rw));
    if (done === null) return false;
    this.#rewrite = rw;
    log.notice(`Background append only file rewriting started by pid ${Deno.pid}`);
    this.rewriteScheduled = false;
    this.rewriteStart = Math.floor(Date.now() / 1000);
    done.then((ok) => this.#rewriteEnded(rw, ok));
    return true;
  }

  // The snapshot's destination: the temp file, written as the snapshot goes (RDB preamble),
  // or kept in memory and turned into commands at the end.
  #target(rw: Rewrite): SnapshotTarget {
    return {
      kind: "aof",
      aux: [["aof-base", "1"]],
      write: async (chunk) => {
        if (!rw.preamble) {
          rw.chunks.push(chunk);
          return;
        }
        rw.file ??= await Deno.open(rw.tmpPath, { write: true, create: true, truncate: true });
        await writeAll(rw.file, chunk);
      },
      finish: async () => {
        rw.file ??= await Deno.open(rw.tmpPath, { write: true, create: true, truncate: true });
        if (!rw.preamble) await this.#writeCommands(rw);
        await rw.file.sync();
        rw.file.close();
        rw.file = null;
        if (rw.killed) return false;
        log.notice(`Successfully created the temporary AOF base file ${rw.tmpName}`);
        return true;
      },
      discard: async () => {
        if (rw.file !== null) tryClose(rw.file);
        rw.file = null;
        rw.chunks = [];
        await Deno.remove(rw.tmpPath).catch(() => {});
      },
    };
  }

  // The command form of the base: the snapshot's RDB bytes converted in slices.
  async #writeCommands(rw: Rewrite): Promise<void> {
    const size = rw.chunks.reduce((n, c) => n + c.length, 0);
    const rdb = new Uint8Array(size);
    let o = 0;
    for (const c of rw.chunks) {
      rdb.set(c, o);
      o += c.length;
    }
    rw.chunks = [];
    let text = "";
    const steps = rdbToCommands(rdb, (t) => text += t, this.#timestampStart());
    for (;;) {
      if (rw.killed) throw new Error("aborted");
      const t0 = performance.now();
      let done = false;
      while (performance.now() - t0 < SLICE_MS) {
        if (steps.next().done) {
          done = true;
          break;
        }
      }
      if (text.length > 0) {
        await writeAll(rw.file!, strToBytes(text));
        text = "";
      }
      if (done) return;
      await new Promise((r) => setTimeout(r, 0));
    }
  }

  // openNewIncrAofForAppend: writes from now on go to a new INCR file (named in the manifest at
  // once), or to the temp INCR file while AOF waits for its first rewrite.
  #openNewIncr(): boolean {
    if (this.state === "off") return true;
    const dir = this.#dir();
    let temp: AofManifest | null = null;
    let name: string;
    if (this.state === "wait_rewrite") name = tempIncrName(this.#fileName());
    else {
      temp = copyManifest(this.manifest);
      name = newIncrName(temp, this.#fileName());
    }
    let f: Deno.FsFile;
    try {
      f = Deno.openSync(`${dir}/${name}`, { write: true, create: true, truncate: true });
    } catch (err) {
      log.warning(`Can't open the append-only file ${name}: ${errText(err)}`);
      return false;
    }
    if (temp !== null && !this.#persistManifest(temp)) {
      tryClose(f);
      return false;
    }
    log.notice(`Creating AOF incr file ${name} on background rewrite`);
    const old = this.#file;
    if (old !== null) {
      this.#closeInBackground(old);
      this.#fsyncOffset = this.currentSize;
      this.#lastFsync = Date.now();
    }
    this.#file = f;
    this.lastIncrSize = 0;
    if (temp !== null) this.manifest = temp;
    return true;
  }

  // backgroundRewriteDoneHandler
  #rewriteEnded(rw: Rewrite, ok: boolean): void {
    if (rw.killed) return;
    if (this.#rewrite === rw) this.#rewrite = null;
    if (ok) {
      log.notice("Background AOF rewrite terminated with success");
      if (this.#installBase(rw)) {
        this.lastBgrewriteOk = true;
        this.consecutiveFailures = 0;
        log.notice("Background AOF rewrite finished successfully");
        if (this.state === "wait_rewrite") this.state = "on";
      } else {
        this.lastBgrewriteOk = false;
        this.consecutiveFailures++;
      }
    } else {
      this.lastBgrewriteOk = false;
      this.consecutiveFailures++;
      log.warning("Background AOF rewrite terminated with error");
    }
    tryRemoveSync(rw.tmpPath);
    if (this.state === "wait_rewrite") {
      // The first rewrite failed: what was logged meanwhile is dropped, and it is retried.
      this.#buf = "";
      const temp = tempIncrName(this.#fileName());
      log.notice(`Removing the temp incr aof file ${temp} in the background`);
      this.#track(Deno.remove(`${this.#dir()}/${temp}`).catch(() => {}));
      this.rewriteScheduled = true;
    }
    this.lastRewriteTimeSec = Math.floor(Date.now() / 1000) - this.rewriteStart;
    this.rewriteStart = -1;
  }

  // The successful end of a rewrite: the temp file becomes the new BASE (and the temp INCR
  // file, when AOF was waiting for it, a numbered INCR file), the INCR files it covers become
  // history, and the manifest is replaced.
  #installBase(rw: Rewrite): boolean {
    const dir = this.#dir();
    const temp = copyManifest(this.manifest);
    const baseName = newBaseName(temp, this.#fileName(), rw.preamble);
    const basePath = `${dir}/${baseName}`;
    try {
      Deno.renameSync(rw.tmpPath, basePath);
    } catch (err) {
      log.warning(
        `Error trying to rename the temporary AOF base file ${rw.tmpName} into ${basePath}: ${
          errText(err)
        }`,
      );
      return false;
    }
    log.notice(
      `Successfully renamed the temporary AOF base file ${rw.tmpName} into ${baseName}`,
    );
    let incrPath: string | null = null;
    if (this.state === "wait_rewrite") {
      const tempIncr = tempIncrName(this.#fileName());
      const incrName = newIncrName(temp, this.#fileName());
      incrPath = `${dir}/${incrName}`;
      try {
        Deno.renameSync(`${dir}/${tempIncr}`, incrPath);
      } catch (err) {
        log.warning(
          `Error trying to rename the temporary AOF incr file ${dir}/${tempIncr} into ${incrPath}: ${
            errText(err)
          }`,
        );
        tryRemoveSync(basePath);
        return false;
      }
      log.notice(
        `Successfully renamed the temporary AOF incr file ${tempIncr} into ${incrName}`,
      );
    }
    markIncrAsHistory(temp, this.#file !== null);
    if (!this.#persistManifest(temp)) {
      tryRemoveSync(basePath);
      if (incrPath !== null) tryRemoveSync(incrPath);
      return false;
    }
    this.manifest = temp;
    if (this.#file !== null) {
      this.#sink.selectedDb = -1;
      let baseSize = 0;
      try {
        baseSize = Deno.statSync(basePath).size;
      } catch {
        // counted as empty
      }
      this.currentSize = baseSize + this.lastIncrSize;
      this.rewriteBaseSize = this.currentSize;
      this.#fsyncOffset = this.currentSize;
      this.#lastFsync = Date.now();
    }
    this.delHistoryFiles();
    return true;
  }

  // Stops the running rewrite; its files are removed (killAppendOnlyChild).
  #killRewrite(): void {
    const rw = this.#rewrite;
    if (rw === null) return;
    log.notice(`Killing running AOF rewrite child: ${Deno.pid}`);
    rw.killed = true;
    this.#rewrite = null;
    if (this.#p.snapshotKind === "aof") this.#p.abortBgsave();
    this.rewriteStart = -1;
  }

  // aofRewriteLimited: automatic and scheduled rewrites back off after repeated failures.
  #limited(): boolean {
    if (this.consecutiveFailures < LIMIT_THRESHOLD) {
      this.#limitDelayMinutes = 0;
      this.#limitUntil = 0;
      return false;
    }
    const now = Math.floor(Date.now() / 1000);
    if (this.#limitUntil !== 0) {
      if (now < this.#limitUntil) return true;
      this.#limitUntil = 0;
      return false;
    }
    this.#limitDelayMinutes = Math.min(
      this.#limitDelayMinutes === 0 ? 1 : this.#limitDelayMinutes * 2,
      LIMIT_MAX_MINUTES,
    );
    this.#limitUntil = now + this.#limitDelayMinutes * 60;
    log.warning(
      `Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.#limitDelayMinutes} minutes`,
    );
    return true;
  }

  /** serverCron: a rewrite that BGREWRITEAOF scheduled while another snapshot ran. */
  startScheduled(): void {
    if (this.rewriteScheduled && this.#p.snapshotKind === null && !this.#limited()) {
      this.rewriteBackground();
    }
  }

  /** serverCron: the automatic rewrite on auto-aof-rewrite-percentage growth. */
  autoRewrite(): void {
    const c = this.#server.config;
    const perc = c.num("auto-aof-rewrite-percentage");
    if (
      this.state !== "on" || this.#p.snapshotKind !== null || perc === 0 ||
      this.currentSize <= c.num("auto-aof-rewrite-min-size")
    ) return;
    const base = this.rewriteBaseSize || 1;
    const growth = Math.floor((this.currentSize * 100) / base) - 100;
    if (growth >= perc && !this.#limited()) {
      log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
      this.rewriteBackground();
    }
  }

  /** serverCron: the everysec fsync of data written since, and retries after write errors. */
  cron(): void {
    if (this.state === "off") return;
    if (!this.lastWriteOk) this.flush();
    this.#everysecFsync();
  }

  // ------------------------------------------------------------------------------------------
  // CONFIG SET appendonly

  #onAppendonly(on: boolean): void {
    if (!on && this.state !== "off") this.stop();
    else if (on && this.state === "off" && !this.start()) {
      throw new ConfigError(AOF_ENABLE_FAILED);
    }
  }

  /**
   * Turns AOF on at run time (startAppendOnly): it logs nothing until a rewrite has produced
   * its first BASE; that rewrite starts now, or is scheduled behind a running snapshot.
   * @returns false when the rewrite could not start
   */
  start(): boolean {
    if (this.state !== "off") return true;
    const p = this.#p;
    this.state = "wait_rewrite";
    if (p.snapshotKind !== null && p.snapshotKind !== "aof") {
      this.rewriteScheduled = true;
      log.warning(
        "AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.",
      );
    } else if (this.#server.execDepth > 1) {
      this.rewriteScheduled = true;
      log.warning(
        "AOF was enabled during a transaction. An AOF background was scheduled to start when possible.",
      );
    } else {
      if (this.#rewrite !== null) {
        log.warning(
          "AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.",
        );
        this.#killRewrite();
      }
      if (!this.rewriteBackground()) {
        this.state = "off";
        log.warning(
          "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.",
        );
        return false;
      }
    }
    this.#attach();
    this.#lastFsync = Date.now();
    if (!this.lastWriteOk) {
      log.warning("AOF reopen, just ignore the last error.");
      this.lastWriteOk = true;
    }
    return true;
  }

  /** Turns AOF off at run time (stopAppendOnly): flush, fsync, close, drop a rewrite. */
  stop(): void {
    if (this.state === "off") return;
    this.flush();
    const f = this.#file;
    if (f !== null) {
      try {
        f.syncSync();
        this.#fsyncOffset = this.currentSize;
      } catch (err) {
        log.warning(`Fail to fsync the AOF file: ${errText(err)}`);
      }
      // An everysec fsync may still be running on it.
      if (this.#fsyncing === null) tryClose(f);
      else this.#closeInBackground(f);
    }
    this.#file = null;
    this.#sink.selectedDb = -1;
    this.state = "off";
    this.rewriteScheduled = false;
    this.lastIncrSize = 0;
    this.#killRewrite();
    this.#buf = "";
    this.#detach();
  }

  /**
   * Shutdown (prepareForShutdown): a running rewrite is dropped, the buffer written and the
   * file fsynced and closed; resolves once background fsyncs and deletions are done.
   */
  async shutdown(): Promise<void> {
    if (this.#rewrite !== null) {
      log.warning("There is a child rewriting the AOF. Killing it!");
      this.#killRewrite();
    }
    if (this.state !== "off" && this.#file !== null) {
      log.notice("Calling fsync() on the AOF file.");
      this.flush();
      try {
        this.#file.syncSync();
      } catch (err) {
        log.warning(`Fail to fsync the AOF file: ${errText(err)}.`);
      }
    }
    this.#detach();
    if (this.#fsyncing !== null) await this.#fsyncing;
    if (this.#file !== null) tryClose(this.#file);
    this.#file = null;
    while (this.#background.size > 0) await Promise.all([...this.#background]);
  }

  // ------------------------------------------------------------------------------------------
  // INFO

  /** The aof_* fields of INFO persistence, in Redis's order. */
  infoFields(): [string, string | number][] {
    const now = Math.floor(Date.now() / 1000);
    const fields: [string, string | number][] = [
      ["aof_enabled", this.state !== "off" ? 1 : 0],
      ["aof_rewrite_in_progress", this.#rewrite !== null ? 1 : 0],
      ["aof_rewrite_scheduled", this.rewriteScheduled ? 1 : 0],
      ["aof_last_rewrite_time_sec", this.lastRewriteTimeSec],
      ["aof_current_rewrite_time_sec", this.rewriteStart === -1 ? -1 : now - this.rewriteStart],
      ["aof_last_bgrewrite_status", this.lastBgrewriteOk ? "ok" : "err"],
      ["aof_rewrites", this.rewrites],
      ["aof_rewrites_consecutive_failures", this.consecutiveFailures],
      ["aof_last_write_status", this.lastWriteOk && this.fsyncError === null ? "ok" : "err"],
      ["aof_last_cow_size", 0],
    ];
    if (this.state !== "off") {
      fields.push(
        ["aof_current_size", this.currentSize],
        ["aof_base_size", this.rewriteBaseSize],
        ["aof_pending_rewrite", this.rewriteScheduled ? 1 : 0],
        ["aof_buffer_length", this.#buf.length],
        ["aof_pending_bio_fsync", this.#fsyncing !== null ? 1 : 0],
        ["aof_delayed_fsync", 0],
      );
    }
    return fields;
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

// fsyncFileDir: a rename is durable once its directory is; some filesystems cannot fsync one.
function fsyncDir(dir: string): void {
  try {
    const d = Deno.openSync(dir, { read: true });
    try {
      d.syncSync();
    } finally {
      d.close();
    }
  } catch {
    // not fatal, as in Redis
  }
}

function writeAllSync(f: Deno.FsFile, b: Uint8Array): void {
  let o = 0;
  while (o < b.length) o += f.writeSync(b.subarray(o));
}

async function writeAll(f: Deno.FsFile, b: Uint8Array): Promise<void> {
  let o = 0;
  while (o < b.length) o += await f.write(b.subarray(o));
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

// strerror-like texts for the errors Redis logs with strerror(errno).
function errText(err: unknown): string {
  if (err instanceof Deno.errors.NotFound) return "No such file or directory";
  if (err instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (err instanceof Deno.errors.AlreadyExists) return "File exists";
  // Deno's messages are strerror's text followed by " (os error N)".
  const msg = (err as Error).message ?? String(err);
  return msg.replace(/ \(os error \d+\)$/, "");
}
