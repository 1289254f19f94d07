// The sorted set value (t_zset.c's data side): members ordered by (score, member bytes) in a
// counted B+tree (sorted leaf arrays linked both ways, inner nodes holding each child's element
// count), so insert, delete, rank and rank lookup are O(log n), plus a Map member → score.
// A B+tree rather than Redis's skip list: leaf arrays keep scores unboxed and adjacent, which
// measured ~4x faster in V8 than pointer-chasing skip list nodes. Members are one-char-per-byte
// strings, so JS string order is Redis's memcmp order. Redis's listpack encoding is mimicked
// (the `listpack` flag, -0 stored as 0, the linear lex scans), as replies can observe it.

import type { ObjectValue } from "../database.ts";
import { DICT, DICT_ENTRY, dictSize, jemallocSize, ROBJ, sdsAlloc } from "./hash.ts";

/** A score interval; `minex`/`maxex` make a bound exclusive (the `(` prefix). */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/**
 * A member interval for the BYLEX family. A bound's kind is -1 for `-` (below everything),
 * 1 for `+` (above everything), 0 for a real string.
 */
export interface LexRange {
  min: string;
  max: string;
  minex: boolean;
  maxex: boolean;
  minKind: number;
  maxKind: number;
}

/** True when `v` is above the range's lower bound. */
export function scoreGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

/** True when `v` is below the range's upper bound. */
export function scoreLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

// sdscmplex of a member against a bound.
function cmpLex(v: string, bound: string, kind: number): number {
  if (kind !== 0) return -kind;
  return v < bound ? -1 : v > bound ? 1 : 0;
}

/** True when member `v` is above the range's lower bound. */
export function lexGteMin(v: string, r: LexRange): boolean {
  const c = cmpLex(v, r.min, r.minKind);
  return r.minex ? c > 0 : c >= 0;
}

/** True when member `v` is below the range's upper bound. */
export function lexLteMax(v: string, r: LexRange): boolean {
  const c = cmpLex(v, r.max, r.maxKind);
  return r.maxex ? c < 0 : c <= 0;
}

/** True when a score range can hold nothing (min > max, or min == max with an open end). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** The lex-range counterpart of scoreRangeEmpty. */
export function lexRangeEmpty(r: LexRange): boolean {
  let c: number;
  if (r.minKind !== 0 && r.minKind === r.maxKind) c = 0;
  else if (r.minKind === -1 || r.maxKind === 1) c = -1;
  else if (r.minKind === 1 || r.maxKind === -1) c = 1;
  else c = r.min < r.max ? -1 : r.min > r.max ? 1 : 0;
  return c > 0 || (c === 0 && (r.minex || r.maxex));
}

// ---------------------------------------------------------------------------------------------
// Tree nodes

/** Elements per leaf before it splits; children per inner node before it splits. */
const LEAF_MAX = 64;
const INNER_MAX = 64;

/** A leaf: parallel sorted arrays (plain arrays keep doubles unboxed in V8). */
class Leaf {
  readonly leaf = true;
  scores: number[] = [];
  eles: string[] = [];
  next: Leaf | null = null;
  prev: Leaf | null = null;
}

/** An inner node: children with their element counts and their first keys (separators). */
class Inner {
  readonly leaf = false;
  kids: TreeNode[] = [];
  counts: number[] = [];
  sepS: number[] = [];
  sepE: string[] = [];
}

type TreeNode = Leaf | Inner;

// Descent path of the last insert/delete (handlers run one at a time): PATH[0..pathDepth) and
// the child index taken at each. Preallocated and never shortened (resizing an array's length
// reallocates its backing store).
const PATH: Inner[] = new Array(64).fill(null);
const PATH_IDX: number[] = new Array(64).fill(0);
let pathDepth = 0;

// Prefix-count modes: which elements count as "before" the bound.
const BEFORE_KEY = 0; // (score, ele) < (s, e)
const SCORE_LT = 1; // score < s
const SCORE_LE = 2; // score <= s
const LEX_LT = 3; // ele < bound (kind-aware)
const LEX_LE = 4; // ele <= bound

// The order predicate of a prefix-count mode.
function isBefore(
  mode: number,
  score: number,
  ele: string,
  s: number,
  e: string,
  kind: number,
): boolean {
  switch (mode) {
    case BEFORE_KEY:
      return score < s || (score === s && ele < e);
    case SCORE_LT:
      return score < s;
    case SCORE_LE:
      return score <= s;
    case LEX_LT:
      return cmpLex(ele, e, kind) < 0;
    default:
      return cmpLex(ele, e, kind) <= 0;
  }
}

/** A position in a set: read `ele`/`score`, move with next()/prev() (false past the ends). */
export class ZIter {
  ele: string;
  score: number;
  #leaf: Leaf;
  #i: number;

  constructor(leaf: Leaf, i: number) {
    this.#leaf = leaf;
    this.#i = i;
    this.ele = leaf.eles[i];
    this.score = leaf.scores[i];
  }

  /** Moves to the next element (higher in order); false at the end. */
  next(): boolean {
    let leaf = this.#leaf;
    let i = this.#i + 1;
    if (i >= leaf.eles.length) {
      if (leaf.next === null) return false;
      leaf = this.#leaf = leaf.next;
      i = 0;
    }
    this.#i = i;
    this.ele = leaf.eles[i];
    this.score = leaf.scores[i];
    return true;
  }

  /** Moves to the previous element; false at the start. */
  prev(): boolean {
    let leaf = this.#leaf;
    let i = this.#i - 1;
    if (i < 0) {
      if (leaf.prev === null) return false;
      leaf = this.#leaf = leaf.prev;
      i = leaf.eles.length - 1;
    }
    this.#i = i;
    this.ele = leaf.eles[i];
    this.score = leaf.scores[i];
    return true;
  }
}

/** A sorted set. */
export class ZSet implements ObjectValue {
  readonly type = "zset" as const;
  /** member → score. */
  readonly dict = new Map<string, number>();
  #root: TreeNode = new Leaf();
  #first: Leaf;
  #last: Leaf;
  /**
   * True while Redis would still hold this set as a listpack: it converts to a skiplist once
   * the set outgrows zset-max-listpack-entries/-value, and never back (except for results
   * built from scratch, see `fitsListpack`).
   */
  listpack = true;

  constructor() {
    this.#first = this.#last = this.#root as Leaf;
  }

  /** Number of members. */
  get size(): number {
    return this.dict.size;
  }

  encoding(): string {
    return this.listpack ? "listpack" : "skiplist";
  }

  isEmpty(): boolean {
    return this.dict.size === 0;
  }

  /** The score of `ele`, or undefined. */
  score(ele: string): number | undefined {
    return this.dict.get(ele);
  }

  /**
   * Switches to the skiplist encoding when adding a member of `eleLen` bytes would outgrow
   * the listpack limits (zsetAdd's check), as Redis does before inserting.
   */
  growCheck(eleLen: number, maxEntries: number, maxValue: number): void {
    if (this.listpack && (this.dict.size + 1 > maxEntries || eleLen > maxValue)) {
      this.listpack = false;
    }
  }

  /** Adds a member that is not present yet. */
  insert(score: number, ele: string): void {
    // A listpack stores scores as text or integers: -0 comes back as 0.
    if (this.listpack && score === 0) score = 0;
    this.dict.set(ele, score);
    this.#treeInsert(score, ele);
  }

  /**
   * Removes `ele`.
   * @returns true when it was present
   */
  remove(ele: string): boolean {
    const score = this.dict.get(ele);
    if (score === undefined) return false;
    this.dict.delete(ele);
    this.#treeDelete(score, ele);
    return true;
  }

  /**
   * Changes the score of a present member.
   * @param old its current score when the caller has it at hand (saves a lookup)
   */
  setScore(ele: string, score: number, old: number = this.dict.get(ele)!): void {
    if (this.listpack && score === 0) score = 0;
    this.dict.set(ele, score);
    // Still between its neighbours inside one leaf: update in place (zslUpdateScore's fast
    // path). At a leaf's edge a separator could be crossed, so it moves.
    const leaf = this.#descend(old, ele);
    const i = lowerBound(leaf, old, ele);
    const scores = leaf.scores;
    if (i > 0 && i + 1 < scores.length && scores[i - 1] < score && scores[i + 1] > score) {
      scores[i] = score;
      return;
    }
    this.#deleteAt(leaf, i);
    this.#treeInsert(score, ele);
  }

  /**
   * The 0-based rank of `ele` from the lowest score (from the highest when `reverse`), or -1.
   */
  rank(ele: string, reverse: boolean): number {
    const score = this.dict.get(ele);
    if (score === undefined) return -1;
    const r = this.#prefix(BEFORE_KEY, score, ele, 0);
    return reverse ? this.dict.size - 1 - r : r;
  }

  /** A cursor at 0-based rank `r`, or null out of range. */
  at(r: number): ZIter | null {
    if (r < 0 || r >= this.dict.size) return null;
    let node = this.#root;
    while (!node.leaf) {
      const counts = node.counts;
      let i = 0;
      while (r >= counts[i]) r -= counts[i++];
      node = node.kids[i];
    }
    return new ZIter(node, r);
  }

  /** A cursor at the lowest element, or null when empty. */
  first(): ZIter | null {
    return this.dict.size === 0 ? null : new ZIter(this.#first, 0);
  }

  /** A cursor at the highest element, or null when empty. */
  last(): ZIter | null {
    const l = this.#last;
    return this.dict.size === 0 ? null : new ZIter(l, l.eles.length - 1);
  }

  /** Rank of the first element whose score is in `r`, or -1 (zslFirstInRange). */
  firstInRange(r: ScoreRange): number {
    if (scoreRangeEmpty(r)) return -1;
    const i = this.#prefix(r.minex ? SCORE_LE : SCORE_LT, r.min, "", 0);
    if (i >= this.dict.size) return -1;
    return scoreLteMax(this.at(i)!.score, r) ? i : -1;
  }

  /** Rank of the last element whose score is in `r`, or -1 (zslLastInRange). */
  lastInRange(r: ScoreRange): number {
    if (scoreRangeEmpty(r)) return -1;
    const i = this.#prefix(r.maxex ? SCORE_LT : SCORE_LE, r.max, "", 0) - 1;
    if (i < 0) return -1;
    return scoreGteMin(this.at(i)!.score, r) ? i : -1;
  }

  /**
   * Rank of the first element whose member is in `r`, or -1. Lex ranges assume equal scores;
   * for mixed scores a listpack's answer is Redis's linear scan (zzlFirstInLexRange), which
   * this reproduces; a skiplist's is unspecified.
   */
  firstInLex(r: LexRange): number {
    if (lexRangeEmpty(r) || this.dict.size === 0) return -1;
    if (this.listpack) return this.#scanFirstLex(r);
    const i = this.#prefix(r.minex ? LEX_LE : LEX_LT, 0, r.min, r.minKind);
    if (i >= this.dict.size) return -1;
    return lexLteMax(this.at(i)!.ele, r) ? i : -1;
  }

  /** Rank of the last element whose member is in `r`, or -1 (see firstInLex). */
  lastInLex(r: LexRange): number {
    if (lexRangeEmpty(r) || this.dict.size === 0) return -1;
    if (this.listpack) return this.#scanLastLex(r);
    const i = this.#prefix(r.maxex ? LEX_LT : LEX_LE, 0, r.max, r.maxKind) - 1;
    if (i < 0) return -1;
    return lexGteMin(this.at(i)!.ele, r) ? i : -1;
  }

  /** Number of members with a score in `r` (ZCOUNT). */
  countInRange(r: ScoreRange): number {
    const a = this.firstInRange(r);
    return a < 0 ? 0 : this.lastInRange(r) - a + 1;
  }

  /** Number of members in `r` from the first one on (ZLEXCOUNT). */
  countInLex(r: LexRange): number {
    const a = this.firstInLex(r);
    if (a < 0) return 0;
    let n = 0;
    const it = this.at(a)!;
    do {
      if (!lexLteMax(it.ele, r)) break;
      n++;
    } while (it.next());
    return n;
  }

  /** Removes the members with a score in `r`; returns how many. */
  deleteRangeByScore(r: ScoreRange): number {
    const a = this.firstInRange(r);
    if (a < 0) return 0;
    return this.#deleteRun(a, (_, s) => scoreLteMax(s, r));
  }

  /** Removes the members in `r`; returns how many. */
  deleteRangeByLex(r: LexRange): number {
    const a = this.firstInLex(r);
    if (a < 0) return 0;
    return this.#deleteRun(a, (e) => lexLteMax(e, r));
  }

  /** Removes the members of 0-based ranks start..end (inclusive, in range); returns how many. */
  deleteRangeByRank(start: number, end: number): number {
    let n = end - start + 1;
    return this.#deleteRun(start, () => n-- > 0);
  }

  /**
   * True when a set built from scratch with these members fits a listpack
   * (zsetConvertToListpackIfNeeded: results of ZUNIONSTORE, GEOSEARCHSTORE ...).
   */
  fitsListpack(maxEntries: number, maxValue: number): boolean {
    if (this.dict.size > maxEntries) return false;
    for (const ele of this.dict.keys()) if (ele.length > maxValue) return false;
    return true;
  }

  /** Marks the set as listpack-encoded, normalising -0 scores as a listpack would. */
  toListpack(): void {
    this.listpack = true;
    for (let leaf: Leaf | null = this.#first; leaf !== null; leaf = leaf.next) {
      const scores = leaf.scores;
      for (let i = 0; i < scores.length; i++) {
        if (scores[i] === 0) {
          scores[i] = 0;
          this.dict.set(leaf.eles[i], 0);
        }
      }
    }
  }

  /** Calls fn(member, score) in order (from the highest when `reverse`); false stops. */
  forEach(reverse: boolean, fn: (ele: string, score: number) => boolean | void): void {
    if (!reverse) {
      for (let leaf: Leaf | null = this.#first; leaf !== null; leaf = leaf.next) {
        const { eles, scores } = leaf;
        for (let i = 0; i < eles.length; i++) if (fn(eles[i], scores[i]) === false) return;
      }
      return;
    }
    for (let leaf: Leaf | null = this.#last; leaf !== null; leaf = leaf.prev) {
      const { eles, scores } = leaf;
      for (let i = eles.length - 1; i >= 0; i--) if (fn(eles[i], scores[i]) === false) return;
    }
  }

  /** A deep copy (COPY). */
  clone(): ZSet {
    const z = new ZSet();
    z.listpack = this.listpack;
    this.forEach(false, (e, s) => {
      z.dict.set(e, s);
      z.#append(s, e);
    });
    return z;
  }

  /**
   * Bytes Redis would use (object.c objectComputeSize): the listpack's allocation, or the
   * skiplist's fixed parts plus an average over `samples` elements (0 = all) of member,
   * skiplist node (levels drawn as Redis's, averaging 1.33) and dict entry.
   */
  memoryUsage(samples: number): number {
    if (this.listpack) {
      let bytes = 7; // header + end byte
      this.forEach(false, (e, s) => {
        bytes += lpEntrySize(e) + lpEntrySize(scoreText(s));
      });
      return ROBJ + jemallocSize(bytes);
    }
    const size = this.dict.size;
    // robj + zset + zskiplist + dict + buckets + header node (32 levels)
    let total = ROBJ + 16 + 32 + DICT + 8 * dictSize(size) + jemallocSize(24 + 16 * 32);
    const limit = samples <= 0 ? size : samples;
    let sum = 0;
    let seen = 0;
    this.forEach(false, (e) => {
      if (seen >= limit) return false;
      // 3/4 of nodes have one level, 3/16 two ...
      const level = seen % 4 === 3 ? 2 : 1;
      sum += sdsAlloc(e.length) + DICT_ENTRY + jemallocSize(24 + 16 * level);
      seen++;
    });
    if (seen > 0) total += (sum / seen) * size;
    return Math.round(total);
  }

  // --- tree internals

  // Number of elements "before" a bound (see the modes), descending by separators.
  #prefix(mode: number, s: number, e: string, kind: number): number {
    let node = this.#root;
    let n = 0;
    while (!node.leaf) {
      const { sepS, sepE, counts } = node;
      // The last child whose separator is before the bound (child 0 has none).
      let lo = 1;
      let hi = counts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (isBefore(mode, sepS[mid], sepE[mid], s, e, kind)) lo = mid + 1;
        else hi = mid;
      }
      const c = lo - 1;
      for (let i = 0; i < c; i++) n += counts[i];
      node = node.kids[c];
    }
    const { scores, eles } = node;
    let lo = 0;
    let hi = scores.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (isBefore(mode, scores[mid], eles[mid], s, e, kind)) lo = mid + 1;
      else hi = mid;
    }
    return n + lo;
  }

  // The leaf that holds (or would hold) the key, recording the path in PATH/PATH_IDX.
  #descend(s: number, e: string): Leaf {
    let node = this.#root;
    let depth = 0;
    while (!node.leaf) {
      const { sepS, sepE } = node;
      let lo = 1;
      let hi = sepS.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const ms = sepS[mid];
        if (ms < s || (ms === s && sepE[mid] <= e)) lo = mid + 1;
        else hi = mid;
      }
      PATH[depth] = node;
      PATH_IDX[depth] = lo - 1;
      depth++;
      node = node.kids[lo - 1];
    }
    pathDepth = depth;
    return node;
  }

  #treeInsert(s: number, e: string): void {
    const leaf = this.#descend(s, e);
    const depth = pathDepth;
    for (let d = 0; d < depth; d++) PATH[d].counts[PATH_IDX[d]]++;
    const { scores, eles } = leaf;
    const i = lowerBound(leaf, s, e);
    // Shift the tail up by one (cheaper than splice, which allocates its result).
    let j = scores.length;
    scores.push(s);
    eles.push(e);
    for (; j > i; j--) {
      scores[j] = scores[j - 1];
      eles[j] = eles[j - 1];
    }
    scores[i] = s;
    eles[i] = e;
    if (scores.length > LEAF_MAX) this.#splitLeaf(leaf, depth);
  }

  // Appends a key known to be the largest (clone): no search.
  #append(s: number, e: string): void {
    const leaf = this.#last;
    let depth = 0;
    let node = this.#root;
    while (!node.leaf) {
      const c = node.kids.length - 1;
      PATH[depth] = node;
      PATH_IDX[depth] = c;
      node.counts[c]++;
      depth++;
      node = node.kids[c];
    }
    pathDepth = depth;
    leaf.scores.push(s);
    leaf.eles.push(e);
    if (leaf.scores.length > LEAF_MAX) this.#splitLeaf(leaf, depth);
  }

  #splitLeaf(leaf: Leaf, depth: number): void {
    const mid = leaf.scores.length >> 1;
    const right = new Leaf();
    right.scores = leaf.scores.splice(mid);
    right.eles = leaf.eles.splice(mid);
    right.next = leaf.next;
    right.prev = leaf;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.#last = right;
    leaf.next = right;
    this.#addChild(depth - 1, leaf, right, right.scores[0], right.eles[0], right.scores.length);
  }

  // Inserts `right` after `left` (the child at PATH_IDX[d] of PATH[d]), splitting upwards.
  #addChild(
    d: number,
    left: TreeNode,
    right: TreeNode,
    sepS: number,
    sepE: string,
    rightCount: number,
  ): void {
    if (d < 0) {
      const root = new Inner();
      root.kids = [left, right];
      root.counts = [this.dict.size - rightCount, rightCount];
      root.sepS = [0, sepS];
      root.sepE = ["", sepE];
      this.#root = root;
      return;
    }
    const p = PATH[d];
    const i = PATH_IDX[d];
    p.kids.splice(i + 1, 0, right);
    p.counts.splice(i + 1, 0, rightCount);
    p.counts[i] -= rightCount;
    p.sepS.splice(i + 1, 0, sepS);
    p.sepE.splice(i + 1, 0, sepE);
    if (p.kids.length <= INNER_MAX) return;
    const mid = p.kids.length >> 1;
    const q = new Inner();
    q.kids = p.kids.splice(mid);
    q.counts = p.counts.splice(mid);
    q.sepS = p.sepS.splice(mid);
    q.sepE = p.sepE.splice(mid);
    let n = 0;
    for (const c of q.counts) n += c;
    this.#addChild(d - 1, p, q, q.sepS[0], q.sepE[0], n);
  }

  #treeDelete(s: number, e: string): void {
    const leaf = this.#descend(s, e);
    this.#deleteAt(leaf, lowerBound(leaf, s, e));
  }

  // Removes element `i` of the leaf the last #descend reached (PATH holds its path).
  #deleteAt(leaf: Leaf, i: number): void {
    const depth = pathDepth;
    for (let d = 0; d < depth; d++) PATH[d].counts[PATH_IDX[d]]--;
    const { scores, eles } = leaf;
    const n = scores.length - 1;
    for (let j = i; j < n; j++) {
      scores[j] = scores[j + 1];
      eles[j] = eles[j + 1];
    }
    scores.pop();
    eles.pop();
    if (depth === 0) return;
    if (n === 0) this.#removeChild(depth - 1);
    else if (n < LEAF_MAX / 4) this.#mergeLeaf(leaf, depth - 1);
  }

  // Merges a small leaf with an adjacent sibling under the same parent when both fit.
  #mergeLeaf(leaf: Leaf, d: number): void {
    const p = PATH[d];
    const i = PATH_IDX[d];
    const n = leaf.scores.length;
    if (i + 1 < p.kids.length && n + p.counts[i + 1] <= (LEAF_MAX * 3) / 4) {
      const right = p.kids[i + 1] as Leaf;
      for (let j = 0; j < right.scores.length; j++) {
        leaf.scores.push(right.scores[j]);
        leaf.eles.push(right.eles[j]);
      }
      p.counts[i] += p.counts[i + 1];
      PATH_IDX[d] = i + 1;
      this.#removeChild(d);
    } else if (i > 0 && n + p.counts[i - 1] <= (LEAF_MAX * 3) / 4) {
      const left = p.kids[i - 1] as Leaf;
      for (let j = 0; j < n; j++) {
        left.scores.push(leaf.scores[j]);
        left.eles.push(leaf.eles[j]);
      }
      p.counts[i - 1] += n;
      p.counts[i] = 0;
      this.#removeChild(d);
    }
  }

  // Unlinks the child at PATH_IDX[d] of PATH[d] (its elements are gone or moved).
  #removeChild(d: number): void {
    const p = PATH[d];
    const i = PATH_IDX[d];
    const child = p.kids[i];
    if (child.leaf) {
      if (child.prev !== null) child.prev.next = child.next;
      else this.#first = child.next!;
      if (child.next !== null) child.next.prev = child.prev;
      else this.#last = child.prev!;
    }
    p.kids.splice(i, 1);
    p.counts.splice(i, 1);
    p.sepS.splice(i, 1);
    p.sepE.splice(i, 1);
    if (p.kids.length === 0 && d > 0) {
      this.#removeChild(d - 1);
      return;
    }
    // A root with one child gives way to it.
    let root = this.#root;
    while (!root.leaf && root.kids.length === 1) root = root.kids[0];
    this.#root = root;
  }

  // Deletes consecutive elements from rank `start` while keep(ele, score) holds.
  #deleteRun(start: number, keep: (ele: string, score: number) => boolean): number {
    const it = this.at(start);
    if (it === null) return 0;
    const doomed: string[] = [];
    do {
      if (!keep(it.ele, it.score)) break;
      doomed.push(it.ele);
    } while (it.next());
    for (const e of doomed) this.remove(e);
    return doomed.length;
  }

  // zzlFirstInLexRange: the first element past the lower bound, if it is below the upper.
  #scanFirstLex(r: LexRange): number {
    const last = this.last()!;
    const first = this.first()!;
    if (!lexGteMin(last.ele, r) || !lexLteMax(first.ele, r)) return -1;
    let i = 0;
    const it = first;
    do {
      if (lexGteMin(it.ele, r)) return lexLteMax(it.ele, r) ? i : -1;
      i++;
    } while (it.next());
    return -1;
  }

  // zzlLastInLexRange: the last element below the upper bound, if it is past the lower.
  #scanLastLex(r: LexRange): number {
    const last = this.last()!;
    const first = this.first()!;
    if (!lexGteMin(last.ele, r) || !lexLteMax(first.ele, r)) return -1;
    let i = this.dict.size - 1;
    const it = last;
    do {
      if (lexLteMax(it.ele, r)) return lexGteMin(it.ele, r) ? i : -1;
      i--;
    } while (it.prev());
    return -1;
  }
}

// First index in the leaf whose key is >= (s, e).
function lowerBound(leaf: Leaf, s: number, e: string): number {
  const { scores, eles } = leaf;
  let lo = 0;
  let hi = scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const ms = scores[mid];
    if (ms < s || (ms === s && eles[mid] < e)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Listpack entry size of a string as lpInsert encodes it: small integers compactly, other
// strings with a 1, 2 or 5 byte header; plus the back-length bytes.
function lpEntrySize(s: string): number {
  let enc: number;
  if (/^-?[1-9][0-9]{0,18}$|^0$/.test(s) && Number.isSafeInteger(Number(s))) {
    const v = Number(s);
    if (v >= 0 && v <= 127) enc = 1;
    else if (v >= -4096 && v <= 4095) enc = 2;
    else if (v >= -32768 && v <= 32767) enc = 3;
    else if (v >= -8388608 && v <= 8388607) enc = 4;
    else if (v >= -2147483648 && v <= 2147483647) enc = 5;
    else enc = 9;
  } else {
    const n = s.length;
    enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  }
  const back = enc < 128 ? 1 : enc < 16384 ? 2 : enc < 2097152 ? 3 : enc < 268435456 ? 4 : 5;
  return enc + back;
}

/**
 * A score as a listpack stores it (zzlInsertAt): an integer when double2ll accepts it
 * (integral, within ±2^62; -0 becomes 0), else its %.17g text. ZSCAN replies this form.
 * @param fmt the %.17g formatter for non-integral scores
 */
export function listpackScoreText(v: number, fmt: (v: number) => string): string {
  if (Number.isInteger(v) && v >= -4611686018427387904 && v <= 4611686018427387904) {
    return Math.abs(v) <= Number.MAX_SAFE_INTEGER ? String(v) : BigInt(v).toString();
  }
  return fmt(v);
}

// The listpack text of a score, with a length-only stand-in for %.17g (MEMORY USAGE).
function scoreText(v: number): string {
  return listpackScoreText(v, (x) => "x".repeat(Math.min(24, String(x).length)));
}
