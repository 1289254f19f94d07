// Redis's sdssplitargs: splits an inline request or config line into arguments with its
// quoting rules. Double quotes understand \xHH, \n, \r, \t, \b, \a and \<any>; single quotes
// only \'. A closing quote must be followed by a space or the end, else the line is invalid.

const HEX = "0123456789abcdefABCDEF";

// isspace(): skips blanks between arguments and follows a closing quote.
function isSpace(c: string): boolean {
  return c === " " || c === "\n" || c === "\r" || c === "\t" || c === "\v" || c === "\f";
}

// What ends an unquoted token in sdssplitargs: only ' ', \n, \r, \t (and NUL).
function endsToken(c: string): boolean {
  return c === " " || c === "\n" || c === "\r" || c === "\t" || c === "\0";
}

function hexVal(c: string): number {
  const i = HEX.indexOf(c);
  return i < 16 ? i : i - 6;
}

/**
 * Splits a line the way redis-server splits inline commands and config lines.
 * @param line the line, without its line ending
 * @returns the arguments, or null when quotes are unbalanced
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  // sdssplitargs reads a C string: a NUL byte ends the line (in quotes: unbalanced).
  const z = line.indexOf("\0");
  const n = z < 0 ? line.length : z;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    let inDq = false;
    let inSq = false;
    let cur = "";
    for (;;) {
      if (inDq) {
        if (i >= n) return null;
        const c = line[i];
        if (
          c === "\\" && i + 3 < n && line[i + 1] === "x" && HEX.includes(line[i + 2]) &&
          HEX.includes(line[i + 3])
        ) {
          cur += String.fromCharCode(hexVal(line[i + 2]) * 16 + hexVal(line[i + 3]));
          i += 3;
        } else if (c === "\\" && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === "n"
            ? "\n"
            : e === "r"
            ? "\r"
            : e === "t"
            ? "\t"
            : e === "b"
            ? "\b"
            : e === "a"
            ? "\x07"
            : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          inDq = false;
          i++;
          break;
        } else {
          cur += c;
        }
      } else if (inSq) {
        if (i >= n) return null;
        const c = line[i];
        if (c === "\\" && i + 1 < n && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          inSq = false;
          i++;
          break;
        } else {
          cur += c;
        }
      } else {
        if (i >= n) break;
        const c = line[i];
        if (endsToken(c)) break;
        if (c === '"') inDq = true;
        else if (c === "'") inSq = true;
        else cur += c;
      }
      i++;
    }
    out.push(cur);
  }
}
