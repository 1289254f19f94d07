// The set of numbered databases plus what every write must notify: the dirty counter
// (persistence and propagation read it), WATCH invalidation, keys made ready for blocked
// clients, keyspace notifications, and expiry (lazy via Database.lookup, active via
// `activeExpireCycle`, Redis's expire.c algorithm adapted to JS Maps).

import { Database } from "./database.ts";
import { AccessClock } from "./evict.ts";
import { ScanCursors } from "./scan.ts";

/** What the keyspace needs from the server around it. */
export interface KeyspaceHooks {
  /** True on a replica: expired keys are hidden, not deleted (the master sends DEL). */
  isReplica(): boolean;
  /** Hand a write to the propagation sinks (AOF, replicas). */
  propagate(dbId: number, argv: string[]): void;
  /** Keyspace notification: `type` is the class letter (g, $, x, e ...). */
  notify(type: string, event: string, key: string, dbId: number): void;
}

/** Something that watches keys (a client in MULTI after WATCH). */
export interface Watcher {
  /** Set when a watched key was touched: EXEC must fail. */
  casDirty: boolean;
}

/** Counters reported in INFO stats / keyspace. */
export interface KeyspaceStats {
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReached: number;
  expireCycleCpuMs: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

/** All databases of one server. */
export class Keyspace {
  readonly dbs: Database[];
  /** Changes since the last successful save (Redis server.dirty). */
  dirty = 0;
  /** Time snapshot used for expiry decisions of the command being executed. */
  #now = 0;
  #nowFixed = false;
  /** DEBUG SET-ACTIVE-EXPIRE 0 turns the active cycle off. */
  activeExpireEnabled = true;
  /** While true (CLIENT PAUSE WRITE, loading), expired keys are hidden, not deleted. */
  expirePaused = false;
  /**
   * While an AOF is replayed no key counts as expired (keyIsExpired during loading): a later
   * command in the file must find the key as it was when the command was logged.
   */
  loading = false;
  readonly stats: KeyspaceStats = {
    expiredKeys: 0,
    expiredStalePerc: 0,
    expiredTimeCapReached: 0,
    expireCycleCpuMs: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
  };
  #watched: Map<string, Set<Watcher>>[];
  #watchCount = 0;
  /** notify-keyspace-events has `n`: creating a key fires `new` (checked on every create). */
  notifyNew = false;
  /** Keys signalled ready for blocked clients since the last serve (db id → keys). */
  readyKeys = new Map<Database, Set<string>>();
  /** Databases with clients blocked per key, maintained by the blocking registry. */
  blockedOn: ((db: Database, key: string) => boolean) | null = null;
  #expireIter: (IterableIterator<[string, number]> | null)[];
  hooks: KeyspaceHooks;
  /** Parked SCAN iterators of every db and collection. */
  readonly scans = new ScanCursors();
  /** Access-time tracking settings for LRU/LFU and OBJECT IDLETIME/FREQ (store/evict.ts). */
  readonly clock = new AccessClock();

  constructor(count: number, hooks: KeyspaceHooks) {
    this.hooks = hooks;
    this.dbs = [];
    this.#watched = [];
    this.#expireIter = [];
    for (let i = 0; i < count; i++) {
      this.dbs.push(new Database(i, this));
      this.#watched.push(new Map());
      this.#expireIter.push(null);
    }
  }

  /** Current time in ms: the snapshot while a command runs, else the wall clock. */
  now(): number {
    return this.#nowFixed ? this.#now : Date.now();
  }

  /** Freezes `now()` for the duration of a command or EXEC (Redis commandTimeSnapshot). */
  freezeTime(ms: number): void {
    this.#now = ms;
    this.#nowFixed = true;
  }

  /** Lets `now()` follow the wall clock again. */
  unfreezeTime(): void {
    this.#nowFixed = false;
  }

  isReplica(): boolean {
    return this.hooks.isReplica();
  }

  /** Called for every modification of `key`: dirty++, WATCH, blocked clients. */
  modified(db: Database, key: string): void {
    this.dirty++;
    if (this.#watchCount !== 0) this.touch(db, key);
  }

  /** Called when a key is created: wakes clients blocked on it. */
  keyAdded(db: Database, key: string): void {
    if (this.blockedOn !== null && this.blockedOn(db, key)) this.signalReady(db, key);
  }

  /**
   * Called when a key is deleted or overwritten: its blocked clients are retried too, so that
   * XREADGROUP readers learn their stream is gone (db.c signalDeletedKeyAsReady).
   */
  keyRemoved(db: Database, key: string): void {
    if (this.blockedOn !== null && this.blockedOn(db, key)) this.signalReady(db, key);
  }

  // keyRemoved in `db` for every key of `keys` (FLUSHDB, SWAPDB: scanDatabaseForDeletedStreams).
  #allKeysRemoved(db: Database, keys: Map<string, unknown> = db.data): void {
    if (this.blockedOn === null) return;
    for (const key of keys.keys()) if (this.blockedOn(db, key)) this.signalReady(db, key);
  }

  /** Marks `key` ready so blocked clients are retried after the current command. */
  signalReady(db: Database, key: string): void {
    let set = this.readyKeys.get(db);
    if (set === undefined) this.readyKeys.set(db, set = new Set());
    set.add(key);
  }

  /** Invalidates WATCHers of `key` without counting a change. */
  touch(db: Database, key: string): void {
    const set = this.#watched[db.id].get(key);
    if (set === undefined) return;
    for (const w of set) w.casDirty = true;
  }

  /** Invalidates WATCHers of every key that exists in `db` (FLUSHDB, SWAPDB). */
  touchAll(db: Database, alsoMissing = false): void {
    for (const [key, set] of this.#watched[db.id]) {
      if (alsoMissing || db.data.has(key)) { for (const w of set) w.casDirty = true; }
    }
  }

  /** Registers a WATCH. */
  watch(db: Database, key: string, w: Watcher): void {
    const map = this.#watched[db.id];
    let set = map.get(key);
    if (set === undefined) map.set(key, set = new Set());
    if (!set.has(w)) {
      set.add(w);
      this.#watchCount++;
    }
  }

  /** Removes a WATCH. */
  unwatch(dbId: number, key: string, w: Watcher): void {
    const map = this.#watched[dbId];
    const set = map.get(key);
    if (set === undefined || !set.delete(w)) return;
    this.#watchCount--;
    if (set.size === 0) map.delete(key);
  }

  /** Number of keys watched by anyone (INFO watching_clients-style figures). */
  get watchedKeys(): number {
    let n = 0;
    for (const m of this.#watched) n += m.size;
    return n;
  }

  /**
   * Deletes an expired key on a master: removes it, propagates DEL, fires `expired`.
   * Like Redis (deleteExpiredKeyAndPropagate) this does not count as a change (`dirty`): the
   * DEL is propagated here, and the command that ran into the expired key must not be
   * propagated for it (a GET, or an EXPIRE that then found no key).
   */
  expireKey(db: Database, key: string): void {
    db.drop(key);
    this.keyRemoved(db, key);
    this.stats.expiredKeys++;
    if (this.#watchCount !== 0) this.touch(db, key);
    this.hooks.notify("x", "expired", key, db.id);
    this.hooks.propagate(db.id, ["DEL", key]);
  }

  /**
   * One active expiry cycle: for each db, test keys with a TTL in batches of 20 (continuing
   * where the last cycle stopped), repeating while more than 10% of a batch was expired, within
   * `budgetMs`. Redis samples the expires dict randomly; a JS Map has no random access, so we
   * sweep it incrementally instead, which reclaims every expired key within a bounded number
   * of cycles.
   */
  activeExpireCycle(budgetMs: number): void {
    this.maintainIterators();
    if (!this.activeExpireEnabled || this.isReplica() || this.expirePaused || this.loading) return;
    const start = performance.now();
    const now = Date.now();
    let sampledTotal = 0;
    let expiredTotal = 0;
    for (const db of this.dbs) {
      if (db.expires.size === 0) {
        this.#expireIter[db.id] = null;
        continue;
      }
      let iter = this.#expireIter[db.id] ?? db.expires.entries();
      let ttlSum = 0;
      let ttlSamples = 0;
      for (;;) {
        let sampled = 0;
        let expired = 0;
        while (sampled < 20) {
          const r = iter.next();
          if (r.done) {
            iter = db.expires.entries();
            if (sampled === 0 && db.expires.size === 0) break;
            if (db.expires.size <= sampled) break;
            continue;
          }
          const [key, at] = r.value;
          sampled++;
          if (at <= now) {
            this.expireKey(db, key);
            expired++;
          } else {
            ttlSum += at - now;
            ttlSamples++;
          }
        }
        sampledTotal += sampled;
        expiredTotal += expired;
        if (performance.now() - start > budgetMs) {
          this.stats.expiredTimeCapReached++;
          this.#expireIter[db.id] = iter;
          this.#finishCycle(start, sampledTotal, expiredTotal);
          return;
        }
        if (sampled === 0 || expired * 10 <= sampled) break;
      }
      this.#expireIter[db.id] = iter;
      if (ttlSamples > 0) {
        const avg = ttlSum / ttlSamples;
        db.avgTtl = db.avgTtl === 0 ? avg : (db.avgTtl / 50) * 49 + avg / 50;
      }
    }
    this.#finishCycle(start, sampledTotal, expiredTotal);
  }

  /**
   * Moves parked SCAN and RANDOMKEY iterators on so they do not pin replaced hash tables
   * (store/scan.ts). Runs from the cron, through `activeExpireCycle`, even when expiry is off.
   */
  maintainIterators(): void {
    this.scans.maintain(this.dirty);
    for (const db of this.dbs) db.refreshSampler();
  }

  #finishCycle(start: number, sampled: number, expired: number): void {
    this.stats.expireCycleCpuMs += performance.now() - start;
    const perc = sampled === 0 ? 0 : expired / sampled;
    this.stats.expiredStalePerc = this.stats.expiredStalePerc * 0.95 + perc * 0.05;
  }

  /** Removes all keys in `db`, invalidating WATCHers; returns the number removed. */
  flushDb(db: Database): number {
    this.touchAll(db);
    this.#allKeysRemoved(db);
    const n = db.clear();
    this.#expireIter[db.id] = null;
    this.dirty += n;
    return n;
  }

  /** Swaps the contents of two databases (SWAPDB). */
  swap(a: number, b: number): void {
    const da = this.dbs[a];
    const dbb = this.dbs[b];
    // Redis touches watched keys of both dbs that exist before or after the swap.
    this.touchAll(da);
    this.touchAll(dbb);
    [da.data, dbb.data] = [dbb.data, da.data];
    [da.expires, dbb.expires] = [dbb.expires, da.expires];
    [da.rawStrings, dbb.rawStrings] = [dbb.rawStrings, da.rawStrings];
    [da.avgTtl, dbb.avgTtl] = [dbb.avgTtl, da.avgTtl];
    [da.memBytes, dbb.memBytes] = [dbb.memBytes, da.memBytes];
    [da.memKeys, dbb.memKeys] = [dbb.memKeys, da.memKeys];
    [da.memStale, dbb.memStale] = [dbb.memStale, da.memStale];
    [da.access, dbb.access] = [dbb.access, da.access];
    this.#expireIter[a] = null;
    this.#expireIter[b] = null;
    this.touchAll(da);
    this.touchAll(dbb);
    // Keys of either db may have appeared or gone: retry the clients blocked on them.
    this.#allKeysRemoved(da);
    this.#allKeysRemoved(da, dbb.data);
    this.#allKeysRemoved(dbb);
    this.#allKeysRemoved(dbb, da.data);
    this.dirty++;
  }
}
