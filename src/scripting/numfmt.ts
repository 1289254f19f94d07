// C printf's %g for doubles, as glibc prints it: Lua's tostring uses "%.14g", cjson
// "%.14g" too, redis.call arguments "%.17g". Digits are rounded half-to-even on the exact
// binary value (glibc), not half-up as JS's toExponential/toPrecision do. Infinite and NaN
// values print as glibc does ("inf", "-inf", and "-nan" for the x86 default NaN).

/**
 * Formats `n` like C's `printf("%.<precision>g", n)`.
 * @param n the number
 * @param precision significant digits (at least 1)
 * @returns the formatted text
 */
export function formatG(n: number, precision: number): string {
  if (n !== n) return "-nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const p = precision < 1 ? 1 : precision > 100 ? 100 : precision;
  const neg = n < 0;
  const { digits, exp: x } = sigDigits(neg ? -n : n, p);
  let out: string;
  if (x < -4 || x >= p) {
    let mant = digits[0];
    const frac = digits.slice(1).replace(/0+$/, "");
    if (frac !== "") mant += "." + frac;
    const ax = Math.abs(x);
    out = `${mant}e${x < 0 ? "-" : "+"}${ax < 10 ? "0" : ""}${ax}`;
  } else if (x >= 0) {
    const int = digits.slice(0, x + 1);
    const frac = digits.slice(x + 1).replace(/0+$/, "");
    out = frac === "" ? int : `${int}.${frac}`;
  } else {
    const frac = ("0".repeat(-x - 1) + digits).replace(/0+$/, "");
    out = `0.${frac}`;
  }
  return neg ? `-${out}` : out;
}

/**
 * The first `p` significant digits of a positive finite `x`, rounded half-to-even on its exact
 * binary value as glibc does, and the decimal exponent of the first digit.
 * @param x a positive finite number
 * @param p significant digits, 1 to 100
 * @returns the digits (length p) and the exponent
 */
export function sigDigits(x: number, p: number): { digits: string; exp: number } {
  // 100 significant digits: the exact expansion of every double with a tie at digit p.
  const full = x.toExponential(99);
  const e = full.indexOf("e");
  let exp = Number(full.slice(e + 1));
  const all = full[0] + full.slice(2, e);
  let digits = all.slice(0, p);
  const rest = all.slice(p);
  const first = rest.charCodeAt(0) - 48;
  let up = first > 5;
  if (first === 5) {
    up = /[1-9]/.test(rest.slice(1)) || (digits.charCodeAt(p - 1) - 48) % 2 === 1;
  }
  if (up) {
    const arr = digits.split("").map(Number);
    let i = p - 1;
    while (i >= 0 && arr[i] === 9) arr[i--] = 0;
    if (i < 0) {
      arr.unshift(1);
      arr.pop();
      exp++;
    } else arr[i]++;
    digits = arr.join("");
  }
  return { digits, exp };
}
