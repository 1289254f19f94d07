// Redis's glob matcher (util.c stringmatchlen), used by KEYS, SCAN MATCH, PSUBSCRIBE and
// CONFIG GET: `*`, `?`, `[abc]`, `[^a-z]`, `[!...]` is not special, `\x` escapes.
// Operates on byte strings (one char per byte).
// Ranges compare bytes as C's signed `char`, as Redis does on x86/ARM Linux, so `[a-\xff]`
// means [-1, 97] and does not match "b" or "\x80".

/**
 * True when `str` matches the glob `pattern`.
 * @param nocase compare ASCII letters case-insensitively
 */
export function globMatch(pattern: string, str: string, nocase = false): boolean {
  if (pattern === "*") return true;
  SKIP.longer = false;
  return match(pattern, 0, str, 0, nocase, 0);
}

// Redis's skipLongerMatches (CVE-2022-36021 fix): once the rest of the pattern after a `*`
// failed to match at every position, no earlier `*` can help, so the whole match fails fast
// instead of backtracking exponentially on patterns like "*a*a*a*a*b".
const SKIP = { longer: false };

function signed(c: number): number {
  return c > 127 ? c - 256 : c;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function match(
  p: string,
  pi: number,
  s: string,
  si: number,
  nocase: boolean,
  depth: number,
): boolean {
  // Redis caps recursion (nesting) to avoid stack exhaustion on patterns like "*a*a*a...".
  if (depth > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    switch (pc) {
      case 42: { // *
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
        if (pi + 1 === plen) return true;
        while (si < slen) {
          if (match(p, pi + 1, s, si, nocase, depth + 1)) return true;
          if (SKIP.longer) return false;
          si++;
        }
        SKIP.longer = true;
        return false;
      }
      case 63: // ?
        si++;
        break;
      case 91: { // [
        pi++;
        const not = pi < plen && p.charCodeAt(pi) === 94; // ^
        if (not) pi++;
        let matched = false;
        let c = signed(s.charCodeAt(si));
        if (nocase) c = lower(c);
        for (;;) {
          if (pi >= plen) {
            pi--; // Redis: a missing ']' ends the class at the pattern's end
            break;
          }
          const q = p.charCodeAt(pi);
          if (q === 92 && pi + 1 < plen) { // backslash
            pi++;
            if (p.charCodeAt(pi) === s.charCodeAt(si)) matched = true;
          } else if (q === 93) { // ]
            break;
          } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45) { // a-z
            let start = signed(p.charCodeAt(pi));
            let end = signed(p.charCodeAt(pi + 2));
            if (start > end) [start, end] = [end, start];
            if (nocase) {
              start = lower(start);
              end = lower(end);
            }
            pi += 2;
            if (c >= start && c <= end) matched = true;
          } else {
            let x = signed(q);
            if (nocase) x = lower(x);
            if (x === c) matched = true;
          }
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
        break;
      }
      case 92: // backslash
        if (pi + 1 < plen) pi++;
        // fall through to literal compare
        /* falls through */
      default: {
        let a = p.charCodeAt(pi);
        let b = s.charCodeAt(si);
        if (nocase) {
          a = lower(a);
          b = lower(b);
        }
        if (a !== b) return false;
        si++;
        break;
      }
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}
