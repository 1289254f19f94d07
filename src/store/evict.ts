// maxmemory (Redis 7.0 evict.c): per-key access clocks for the LRU and LFU policies and for
// OBJECT IDLETIME/FREQ, the eviction pool filled by sampling `maxmemory-samples` keys per db,
// `performEvictions` (run before every command while maxmemory is set; its failure is the OOM
// refusal of denyoom commands), the time-limited background eviction, and INFO's figures.
//
// Where the access clock lives: values are bare JS strings without an object header, so each
// db keeps a parallel table (`Database.access`, an `AccessTable`) holding Redis's 24-bit value
// (LRU: seconds clock; LFU: 16-bit minutes << 8 | 8-bit counter). It exists only while
// something needs it: an LRU or LFU policy, or, under the other policies, once OBJECT IDLETIME,
// RESTORE IDLETIME or an RDB IDLE field asked for access times. A key with no entry counts as
// last accessed when tracking began (`AccessClock.epoch`).

import type { Client } from "../client.ts";
import type { Command } from "../commands/spec.ts";
import type { Server } from "../server.ts";
import { keyspaceBytes } from "./memory.ts";
import type { Database, RedisValue } from "./database.ts";

/** What `Database.access` needs of its table (a Map<string, number> also fits). */
export interface AccessClocks {
  readonly size: number;
  get(key: string): number | undefined;
  set(key: string, clock: number): unknown;
  delete(key: string): boolean;
  clear(): void;
}

// Seed of the key hash, per process, so that colliding key sets cannot be prepared offline.
const HASH_SEED = (Math.random() * 0x100000000) | 0;

/** FNV-1a over the key's bytes (one char per byte), then murmur3's finaliser for the low bits. */
export function hashKey(key: string): number {
  const n = key.length;
  let h = HASH_SEED ^ n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const MIN_SLOTS = 16;

function nullSlots(n: number): (string | null)[] {
  // Pushed one by one: `new Array(n)` of a large n would start in slow dictionary mode.
  const a: (string | null)[] = [];
  for (let i = 0; i < n; i++) a.push(null);
  return a;
}

/**
 * key → access clock, an open-addressing table (linear probing, backward-shift deletion).
 * Why not a Map: V8's Map costs ~56 bytes per key once keys churn (its table doubles and
 * keeps deleted entries until a rehash), and every rehash of a big Map allocates a whole new
 * table while the old one often survives the next full GC: under an eviction workload that
 * was tens of MB of RSS per db. Here a key costs 16 bytes per slot (the key reference, its
 * hash and the clock, hash and clock interleaved in one Int32Array), at most 3/4 of the slots
 * are used, and deletions never leave tombstones, so the table is reallocated only when the
 * key count doubles or falls to an eighth.
 */
export class AccessTable implements AccessClocks {
  #keys: (string | null)[] = nullSlots(MIN_SLOTS);
  // Slot i: [2i] the key's hash, [2i + 1] its clock.
  #hv = new Int32Array(2 * MIN_SLOTS);
  #mask = MIN_SLOTS - 1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(key: string): number | undefined {
    const h = hashKey(key);
    const keys = this.#keys;
    const hv = this.#hv;
    const m = this.#mask;
    for (let i = h & m;; i = (i + 1) & m) {
      const k = keys[i];
      if (k === null) return undefined;
      if (hv[2 * i] === h && k === key) return hv[2 * i + 1];
    }
  }

  set(key: string, clock: number): this {
    const h = hashKey(key);
    const keys = this.#keys;
    const hv = this.#hv;
    const m = this.#mask;
    for (let i = h & m;; i = (i + 1) & m) {
      const k = keys[i];
      if (k === null) {
        keys[i] = key;
        hv[2 * i] = h;
        hv[2 * i + 1] = clock;
        if (++this.#size * 4 > (m + 1) * 3) this.#resize((m + 1) * 2);
        return this;
      }
      if (hv[2 * i] === h && k === key) {
        hv[2 * i + 1] = clock;
        return this;
      }
    }
  }

  delete(key: string): boolean {
    const h = hashKey(key);
    const keys = this.#keys;
    const hv = this.#hv;
    const m = this.#mask;
    let i = h & m;
    for (;; i = (i + 1) & m) {
      const k = keys[i];
      if (k === null) return false;
      if (hv[2 * i] === h && k === key) break;
    }
    // Backward shift: entries after the hole move into it unless that would put them before
    // their home slot, so every key stays reachable from its home without tombstones.
    for (let j = (i + 1) & m;; j = (j + 1) & m) {
      const k = keys[j];
      if (k === null) break;
      if (((j - (hv[2 * j] & m)) & m) >= ((j - i) & m)) {
        keys[i] = k;
        hv[2 * i] = hv[2 * j];
        hv[2 * i + 1] = hv[2 * j + 1];
        i = j;
      }
    }
    keys[i] = null;
    if (--this.#size * 8 < m + 1 && m + 1 > MIN_SLOTS) this.#resize((m + 1) / 2);
    return true;
  }

  clear(): void {
    this.#keys = nullSlots(MIN_SLOTS);
    this.#hv = new Int32Array(2 * MIN_SLOTS);
    this.#mask = MIN_SLOTS - 1;
    this.#size = 0;
  }

  #resize(slots: number): void {
    const oldKeys = this.#keys;
    const oldHv = this.#hv;
    const keys = nullSlots(slots);
    const hv = new Int32Array(2 * slots);
    const m = slots - 1;
    for (let s = 0; s < oldKeys.length; s++) {
      const k = oldKeys[s];
      if (k === null) continue;
      const h = oldHv[2 * s];
      let i = h & m;
      while (keys[i] !== null) i = (i + 1) & m;
      keys[i] = k;
      hv[2 * i] = h;
      hv[2 * i + 1] = oldHv[2 * s + 1];
    }
    this.#keys = keys;
    this.#hv = hv;
    this.#mask = m;
  }
}

/** Access tracking modes. */
export const ACCESS_OFF = 0;
export const ACCESS_LRU = 1;
export const ACCESS_LFU = 2;

/** The counter a new key starts with (LFU_INIT_VAL). */
const LFU_INIT_VAL = 5;
/** Entries of the eviction pool (EVPOOL_SIZE). */
const EVPOOL_SIZE = 16;
/** Largest LRU clock value (24 bits). */
const LRU_CLOCK_MAX = 0xffffff;

// Policy bits (server.h MAXMEMORY_FLAG_* and policy ids).
const FLAG_LRU = 1;
const FLAG_LFU = 2;
const FLAG_ALLKEYS = 4;
const POLICY_TTL = 8;
const POLICY_RANDOM = 16;
const POLICIES: Record<string, number> = {
  "volatile-lru": FLAG_LRU,
  "volatile-lfu": FLAG_LFU,
  "volatile-ttl": POLICY_TTL,
  "volatile-random": POLICY_RANDOM,
  "allkeys-lru": FLAG_LRU | FLAG_ALLKEYS,
  "allkeys-lfu": FLAG_LFU | FLAG_ALLKEYS,
  "allkeys-random": POLICY_RANDOM | FLAG_ALLKEYS,
  "noeviction": 0,
};

/**
 * Redis 7.0's used_memory_startup (measured: 876,200 bytes). Our startup heap (the JS runtime
 * and the Lua VM, ~14 MB) is reported, but maxmemory counts only this much of it, so that a
 * given maxmemory leaves the dataset as much room as in Redis; the rest shows in
 * mem_not_counted_for_evict.
 */
const REDIS_STARTUP = 876200;

/** performEvictions results. */
export const EVICT_OK = 0;
export const EVICT_RUNNING = 1;
export const EVICT_FAIL = 2;

/** Access tracking settings shared by every db of a keyspace. */
export class AccessClock {
  /** ACCESS_OFF, ACCESS_LRU or ACCESS_LFU. */
  mode = ACCESS_OFF;
  /** lfu-log-factor. */
  logFactor = 10;
  /** lfu-decay-time (minutes per halving step). */
  decayTime = 1;
  /** The value a key without an entry counts as: the clock when tracking began. */
  epoch = 0;
  /** Tracking was asked for explicitly (OBJECT IDLETIME ...) under a non-LRU/LFU policy. */
  forced = false;
  /** maxmemory is 0 or the policy allows Redis's shared integers (their LFU counter is 0). */
  sharedIntegers = true;
}

/** Redis's LRU clock: unix seconds modulo 2^24 (`&` takes the low bits of the integer part). */
export function lruClock(nowMs: number): number {
  return (nowMs / 1000) & LRU_CLOCK_MAX;
}

/** LFUGetTimeInMinutes: unix minutes modulo 2^16. */
function lfuMinutes(nowMs: number): number {
  return (nowMs / 60000) & 0xffff;
}

/** estimateObjectIdleTime: ms since the LRU clock value `lru`, allowing for one wrap. */
function lruIdleMs(lru: number, nowMs: number): number {
  const clk = lruClock(nowMs);
  return (clk >= lru ? clk - lru : clk + (LRU_CLOCK_MAX - lru)) * 1000;
}

/** LFUDecrAndReturn: the counter after decaying one step per `decayTime` minutes elapsed. */
function lfuDecr(packed: number, nowMs: number, c: AccessClock): number {
  const ldt = packed >>> 8;
  let counter = packed & 255;
  if (c.decayTime !== 0) {
    const now = lfuMinutes(nowMs);
    const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
    const periods = Math.floor(elapsed / c.decayTime);
    if (periods !== 0) counter = periods > counter ? 0 : counter - periods;
  }
  return counter;
}

/** LFULogIncr: grows the counter with probability 1 / ((counter - 5) * logFactor + 1). */
function lfuIncr(counter: number, logFactor: number): number {
  if (counter === 255) return 255;
  const base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
  return Math.random() < 1 / (base * logFactor + 1) ? counter + 1 : counter;
}

/**
 * Records an access to `key` (lookupKey's LRU/LFU update). `overwrite` is a value replaced
 * by a write: that keeps the LFU counter (dbSetValue) and refreshes the LRU clock.
 */
export function touchKey(db: Database, key: string, overwrite = false): void {
  const ks = db.keyspace;
  const c = ks.clock;
  const a = db.access!;
  const now = ks.now();
  if (c.mode === ACCESS_LRU) a.set(key, lruClock(now));
  else if (!overwrite) {
    const counter = lfuIncr(lfuDecr(a.get(key) ?? c.epoch, now, c), c.logFactor);
    a.set(key, (lfuMinutes(now) << 8) | counter);
  }
}

/** Starts the clock of a new key (createObject: now, or LFU_INIT_VAL this minute). */
export function initAccess(db: Database, key: string, value: RedisValue): void {
  const ks = db.keyspace;
  const c = ks.clock;
  const now = ks.now();
  if (c.mode === ACCESS_LRU) db.access!.set(key, lruClock(now));
  else {
    // Shared integers (0..9999 while maxmemory is 0) are never given a counter of their own.
    const shared = c.sharedIntegers && typeof value === "string" && isSmallInt(value);
    db.access!.set(key, (lfuMinutes(now) << 8) | (shared ? 0 : LFU_INIT_VAL));
  }
}

// A value SET would store as one of Redis's shared integers 0..9999.
function isSmallInt(v: string): boolean {
  const n = v.length;
  if (n === 0 || n > 4) return false;
  if (n > 1 && v.charCodeAt(0) === 48) return false;
  for (let i = 0; i < n; i++) {
    const d = v.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return true;
}

/** Switches tracking to `mode` for every db, starting the clocks afresh. */
function setMode(dbs: readonly Database[], c: AccessClock, mode: number, nowMs: number): void {
  if (c.mode === mode) return;
  c.mode = mode;
  c.epoch = mode === ACCESS_LRU ? lruClock(nowMs) : (lfuMinutes(nowMs) << 8) | LFU_INIT_VAL;
  for (const db of dbs) db.access = mode === ACCESS_OFF ? null : new AccessTable();
}

/**
 * OBJECT IDLETIME's figure for an existing key, in seconds. Under a policy that does not track
 * access times this starts tracking: the key then counts as accessed now.
 */
export function idleSeconds(db: Database, key: string): number {
  const ks = db.keyspace;
  const c = ks.clock;
  if (c.mode === ACCESS_OFF) {
    c.forced = true;
    setMode(ks.dbs, c, ACCESS_LRU, ks.now());
  }
  return Math.floor(lruIdleMs(db.access!.get(key) ?? c.epoch, ks.now()) / 1000);
}

/**
 * OBJECT FREQ's figure (under an LFU policy): the decayed counter. A shared integer stored
 * before LFU tracking began has the counter 0, as a new one gets (see initAccess).
 */
export function frequency(db: Database, key: string, value: RedisValue): number {
  const ks = db.keyspace;
  const c = ks.clock;
  let packed = db.access?.get(key);
  if (packed === undefined) {
    const shared = c.sharedIntegers && typeof value === "string" && isSmallInt(value);
    packed = shared ? c.epoch & ~255 : c.epoch;
  }
  return lfuDecr(packed, ks.now(), c);
}

/**
 * objectSetLRUOrLFU for RESTORE and loading: under an LFU policy a known `freq` (0-255) becomes
 * the counter; otherwise a known `idle` (seconds) backdates the LRU clock, starting tracking if
 * it was off. -1 means not given.
 */
export function setAccess(db: Database, key: string, idle: number, freq: number): void {
  const ks = db.keyspace;
  const c = ks.clock;
  const now = ks.now();
  if (c.mode === ACCESS_LFU) {
    if (freq >= 0) db.access!.set(key, (lfuMinutes(now) << 8) | freq);
    return;
  }
  if (idle < 0) return;
  if (c.mode === ACCESS_OFF) {
    c.forced = true;
    setMode(ks.dbs, c, ACCESS_LRU, now);
  }
  const abs = lruClock(now) - Math.min(Math.floor(idle), LRU_CLOCK_MAX);
  db.access!.set(key, abs >= 0 ? abs : abs & LRU_CLOCK_MAX);
}

/**
 * The IDLE/FREQ fields rdbSaveKeyValuePair writes for a key: IDLE seconds under an LRU policy,
 * FREQ under an LFU one, null otherwise. `dbId` is -1 when the writer cannot tell which db the
 * key came from: then the db holding this very value under `key` is used.
 */
export function rdbAccessFields(
  server: Server,
  dbId: number,
  key: string,
  value: RedisValue,
): { idle: number; freq: number } | null {
  const policy = server.evictor.policy;
  if ((policy & (FLAG_LRU | FLAG_LFU)) === 0) return null;
  const ks = server.keyspace;
  const c = ks.clock;
  let db: Database | undefined = ks.dbs[dbId];
  if (db === undefined) db = ks.dbs.find((d) => d.data.size !== 0 && d.data.get(key) === value);
  const v = db?.access?.get(key) ?? c.epoch;
  const now = Date.now();
  if ((policy & FLAG_LRU) !== 0) {
    return { idle: c.mode === ACCESS_LRU ? Math.floor(lruIdleMs(v, now) / 1000) : 0, freq: -1 };
  }
  return { idle: -1, freq: c.mode === ACCESS_LFU ? lfuDecr(v, now, c) : LFU_INIT_VAL };
}

/** One candidate of the eviction pool. */
interface PoolEntry {
  key: string;
  db: number;
  idle: number;
}

/** evictionTimeLimitUs: the time one performEvictions may spend, from the tenacity. */
function timeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return (50 * tenacity) / 1000;
  if (tenacity < 100) return (500 * Math.pow(1.15, tenacity - 10)) / 1000;
  return Infinity;
}

/** The maxmemory machinery of one server. */
export class Evictor {
  /** maxmemory in bytes (0: no limit). Read on every command: kept as a plain number. */
  maxmemory = 0;
  /** The policy as FLAG_* / POLICY_* bits (0: noeviction). */
  policy = 0;
  /** Keys evicted (INFO stats evicted_keys). */
  evictedKeys = 0;
  /** performEvictions failed before the current command (script.c pre_command_oom_state). */
  preCommandOom = false;
  /** Output and query buffers of normal clients, refreshed by the cron (they count). */
  clientBytes = 0;
  readonly #server: Server;
  #samples = 5;
  #tenacity = 10;
  #ignoreOnReplica = true;
  #lazy = false;
  // The pool keeps its best candidates from one call to the next, as Redis's does.
  readonly #pool: PoolEntry[] = [];
  // Sampling iterators per db, over `data` (allkeys) or `expires` (volatile), and their maps.
  #iters: (Iterator<string> | null)[] = [];
  #iterOf: (Map<string, unknown> | null)[] = [];
  #nextDb = 0;
  #sampledSinceCron = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  // Time over the limit (INFO total/current_eviction_exceeded_time), in performance.now() ms.
  #exceededSince = 0;
  #exceededTotal = 0;

  constructor(server: Server) {
    this.#server = server;
    server.cronHooks.push(() => this.cron());
    server.shutdownHooks.push(() => this.#stopTimer());
    server.resetStatsHooks.push(() => {
      this.evictedKeys = 0;
      this.#exceededTotal = 0;
    });
    server.addInfoProvider("stats", () => this.statsFields());
    server.addInfoProvider("memory", () => [
      ["mem_not_counted_for_evict", this.notCounted()],
    ]);
    this.reload();
  }

  /** Re-reads the maxmemory, LFU and replica settings (after CONFIG SET, at startup). */
  reload(): void {
    const cfg = this.#server.config;
    this.maxmemory = cfg.num("maxmemory");
    if (this.maxmemory === 0) this.preCommandOom = false;
    this.policy = POLICIES[cfg.get("maxmemory-policy")] ?? 0;
    this.#samples = Math.max(1, cfg.num("maxmemory-samples"));
    this.#tenacity = cfg.num("maxmemory-eviction-tenacity");
    this.#ignoreOnReplica = cfg.bool("replica-ignore-maxmemory");
    this.#lazy = cfg.bool("lazyfree-lazy-eviction");
    const ks = this.#server.keyspace;
    const c = ks.clock;
    c.logFactor = cfg.num("lfu-log-factor");
    c.decayTime = cfg.num("lfu-decay-time");
    c.sharedIntegers = this.maxmemory === 0 || (this.policy & (FLAG_LRU | FLAG_LFU)) === 0;
    const mode = (this.policy & FLAG_LFU) !== 0
      ? ACCESS_LFU
      : (this.policy & FLAG_LRU) !== 0 || c.forced
      ? ACCESS_LRU
      : ACCESS_OFF;
    if (mode === ACCESS_LFU) c.forced = false;
    setMode(ks.dbs, c, mode, Date.now());
    this.#pool.length = 0;
    this.#iters = [];
    this.#iterOf = [];
  }

  /** True under an LFU policy (OBJECT IDLETIME refuses, OBJECT FREQ answers). */
  get lfu(): boolean {
    return (this.policy & FLAG_LFU) !== 0;
  }

  /**
   * used_memory that maxmemory does not count: replicas' output buffers (as in Redis) and our
   * startup heap beyond Redis's (see REDIS_STARTUP).
   */
  notCounted(): number {
    return Math.max(0, this.#server.memoryStartup - REDIS_STARTUP) + this.#replicaBuffers();
  }

  #replicaBuffers(): number {
    let n = 0;
    for (const c of this.#server.clients.values()) {
      if (c.isReplica) n += c.pendingOutput;
    }
    return n;
  }

  /** Buffers of normal clients (query and output), as used_memory counts them. */
  #clientBuffers(): number {
    let n = 0;
    for (const c of this.#server.clients.values()) {
      if (!c.isReplica) n += c.pendingOutput + c.decoder.buffered;
    }
    return n;
  }

  /**
   * used_memory: the V8 heap in use at startup, the keyspace in Redis's units (MEMORY USAGE of
   * every key plus the dicts' tables), and client buffers.
   */
  usedMemory(): number {
    const s = this.#server;
    return s.memoryStartup + keyspaceBytes(s.keyspace.dbs) + this.#clientBuffers() +
      this.#replicaBuffers();
  }

  // getMaxmemoryState's figure: used_memory without what maxmemory does not count. Client
  // buffers come from the cron's last reading (walking every client per command costs too much).
  #usedForEvict(): number {
    const s = this.#server;
    return Math.min(s.memoryStartup, REDIS_STARTUP) + keyspaceBytes(s.keyspace.dbs) +
      this.clientBytes;
  }

  // isSafeToPerformEvictions: not while loading, not on a replica that ignores maxmemory, not
  // while clients are paused (the dataset must stay still).
  #safe(): boolean {
    const s = this.#server;
    if (s.persistence.loading) return false;
    if (s.isReplica() && this.#ignoreOnReplica) return false;
    return s.pauseEnd === 0;
  }

  /**
   * The dispatcher's maxmemory step (processCommand): evicts as needed, then says whether the
   * command must be refused with OOM: denyoom commands, anything but EXEC/DISCARD/QUIT/RESET
   * inside MULTI, and EXEC of a transaction that queued a denyoom command.
   * @returns true to refuse the command
   */
  checkCommand(client: Client, cmd: Command): boolean {
    const oom = this.perform() === EVICT_FAIL;
    this.preCommandOom = oom;
    if (!oom || client.isMaster) return false;
    if (cmd.flagSet.has("denyoom")) return true;
    const multi = client.multi;
    if (multi === null) return false;
    const name = cmd.name;
    if (name === "exec") {
      for (const q of multi.queue) if (q.cmd.flagSet.has("denyoom")) return true;
      return false;
    }
    return name !== "discard" && name !== "quit" && name !== "reset";
  }

  /** performEvictions: frees keys until used memory is under maxmemory, within a time limit. */
  perform(): number {
    if (this.maxmemory === 0 || !this.#safe()) return EVICT_OK;
    const max = this.maxmemory;
    let used = this.#usedForEvict();
    if (used <= max) return this.#metrics(EVICT_OK);
    if (this.policy === 0) return this.#metrics(EVICT_FAIL);
    const toFree = used - max;
    let freed = 0;
    let keys = 0;
    const s = this.#server;
    const start = performance.now();
    const limit = timeLimitMs(this.#tenacity);
    while (freed < toFree) {
      const picked = this.#pick();
      if (picked === null) return this.#metrics(EVICT_FAIL);
      const t0 = performance.now();
      this.#evict(picked[0], picked[1]);
      s.latency.sample("eviction-del", performance.now() - t0);
      const now = this.#usedForEvict();
      freed += used - now;
      used = now;
      keys++;
      if (keys % 16 === 0 && performance.now() - start > limit) {
        // Still over: go on from a timer so this client is not stalled (evictionTimeProc).
        this.#startTimer();
        break;
      }
    }
    s.latency.sample("eviction-cycle", performance.now() - start);
    return this.#metrics(this.#timer !== undefined ? EVICT_RUNNING : EVICT_OK);
  }

  // Tracks the time spent over the limit (stat_last_eviction_exceeded_time).
  #metrics(result: number): number {
    if (result !== EVICT_OK) {
      if (this.#exceededSince === 0) this.#exceededSince = performance.now();
    } else if (this.#exceededSince !== 0) {
      this.#exceededTotal += performance.now() - this.#exceededSince;
      this.#exceededSince = 0;
    }
    return result;
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    // Each round that stops on its time limit again schedules the next one.
    const tick = () => {
      this.#timer = undefined;
      // Nothing is evicted while a busy script is paused; commands evict again after it.
      if (this.#server.busyReply !== null) return;
      this.perform();
    };
    this.#timer = setTimeout(tick, 0);
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // Chooses the next key to evict: [db, key], or null when no key qualifies.
  #pick(): [Database, string] | null {
    const dbs = this.#server.keyspace.dbs;
    const allkeys = (this.policy & FLAG_ALLKEYS) !== 0;
    if ((this.policy & POLICY_RANDOM) !== 0) {
      for (let i = 0; i < dbs.length; i++) {
        const j = this.#nextDb = (this.#nextDb + 1) % dbs.length;
        const db = dbs[j];
        const map = allkeys ? db.data : db.expires;
        if (map.size === 0) continue;
        const out: string[] = [];
        this.#sample(db, map, 1, out);
        if (out.length !== 0) return [db, out[0]];
      }
      return null;
    }
    const pool = this.#pool;
    for (;;) {
      let total = 0;
      for (const db of dbs) {
        const map = allkeys ? db.data : db.expires;
        if (map.size === 0) continue;
        total += map.size;
        this.#populate(db, map);
      }
      if (total === 0) return null;
      // Best (largest idle) first; entries whose key is gone are ghosts and are dropped.
      while (pool.length !== 0) {
        const e = pool.pop()!;
        const db = dbs[e.db];
        if ((allkeys ? db.data : db.expires).has(e.key)) return [db, e.key];
      }
    }
  }

  // evictionPoolPopulate: samples keys of `db` and inserts those idler than the pool's worst.
  #populate(db: Database, map: Map<string, unknown>): void {
    const keys: string[] = [];
    this.#sample(db, map, this.#samples, keys);
    const ks = this.#server.keyspace;
    const c = ks.clock;
    const now = ks.now();
    const access = db.access;
    const pool = this.#pool;
    for (const key of keys) {
      let idle: number;
      if ((this.policy & FLAG_LRU) !== 0) {
        idle = lruIdleMs(access?.get(key) ?? c.epoch, now);
      } else if ((this.policy & FLAG_LFU) !== 0) {
        idle = 255 - lfuDecr(access?.get(key) ?? c.epoch, now, c);
      } else {
        // volatile-ttl: the sooner it expires, the better a candidate.
        idle = -(db.expires.get(key) ?? 0);
      }
      // The pool is sorted by idle ascending; a key already in it is not added twice.
      let dup = false;
      for (const e of pool) {
        if (e.key === key && e.db === db.id) {
          e.idle = idle;
          dup = true;
          break;
        }
      }
      if (dup) continue;
      let k = 0;
      while (k < pool.length && pool[k].idle < idle) k++;
      if (pool.length === EVPOOL_SIZE) {
        // Full: worse than every entry is dropped; otherwise the least idle entry makes room.
        if (k === 0) continue;
        pool.shift();
        k--;
      }
      pool.splice(k, 0, { key, db: db.id, idle });
    }
  }

  // dictGetSomeKeys: up to `n` keys of `map`. A Map has no random access, so one iterator per
  // db moves on by a random stride per sample, wrapping around: every key is reachable, and
  // successive calls walk the whole map.
  #sample(db: Database, map: Map<string, unknown>, n: number, out: string[]): void {
    const id = db.id;
    let it = this.#iters[id] ?? null;
    if (it === null || this.#iterOf[id] !== map) {
      it = map.keys();
      this.#iterOf[id] = map;
    }
    this.#sampledSinceCron = true;
    const size = map.size;
    const stride = Math.min(Math.max(1, Math.floor(size / n)), 32);
    let wrapped = 0;
    while (out.length < n && out.length < size) {
      let skip = Math.floor(Math.random() * stride);
      for (;;) {
        const r = it.next();
        if (r.done) {
          it = map.keys();
          if (++wrapped > 2) {
            this.#iters[id] = it;
            return;
          }
          continue;
        }
        if (skip-- === 0) {
          if (!out.includes(r.value)) out.push(r.value);
          break;
        }
      }
    }
    this.#iters[id] = it;
  }

  // Deletes an evicted key the way performEvictions does: propagate DEL (or UNLINK), delete,
  // signalModifiedKey, `evicted` event. Not a change for `dirty`, as in Redis.
  #evict(db: Database, key: string): void {
    const ks = this.#server.keyspace;
    ks.hooks.propagate(db.id, [this.#lazy ? "UNLINK" : "DEL", key]);
    // A TTL left behind without its key would be picked again forever: drop it too.
    if (db.drop(key) === undefined) db.expires.delete(key);
    this.evictedKeys++;
    ks.touch(db, key);
    ks.keyRemoved(db, key);
    ks.hooks.notify("e", "evicted", key, db.id);
  }

  /** Cron step: refreshes the client-buffer reading; lets idle sampling iterators go. */
  cron(): void {
    this.clientBytes = this.#clientBuffers();
    // An iterator parked on a Map that has since been rehashed keeps the old table alive.
    if (!this.#sampledSinceCron) {
      this.#iters = [];
      this.#iterOf = [];
    }
    this.#sampledSinceCron = false;
  }

  /** INFO stats fields owned here. */
  statsFields(): [string, number][] {
    const cur = this.#exceededSince === 0 ? 0 : performance.now() - this.#exceededSince;
    return [
      ["evicted_keys", this.evictedKeys],
      ["total_eviction_exceeded_time", Math.floor(this.#exceededTotal + cur)],
      ["current_eviction_exceeded_time", Math.floor(cur)],
    ];
  }
}
