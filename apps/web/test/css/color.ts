// CSS colours as the browser works them out, for the contrast test: hex, rgb(),
// hsl(), oklch() and color-mix(in srgb, …), with var() resolved against a theme,
// and the WCAG 2 contrast ratio of two of them.

/** An sRGB colour, channels 0–1, alpha 0–1. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** Resolves `var(--name)` (with or without a fallback) from a theme's custom properties, recursively. */
export function resolveVars(value: string, properties: ReadonlyMap<string, string>, seen: string[] = []): string {
  return value.replace(/var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*))?\)/g, (_, name: string, fallback?: string) => {
    if (seen.includes(name)) throw new Error(`custom property cycle: ${[...seen, name].join(" → ")}`);
    const found = properties.get(name) ?? fallback;
    if (found === undefined) throw new Error(`var(${name}) is not set in this theme`);
    return resolveVars(found, properties, [...seen, name]);
  });
}

/** Splits a function's arguments at top-level commas (or whitespace and slashes when it has no commas). */
function args(inner: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === "(") depth++;
    if (inner[i] === ")") depth--;
    if (inner[i] === "," && depth === 0) {
      parts.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(inner.slice(start).trim());
  return parts.length > 1 ? parts : inner.trim().split(/\s*\/\s*|\s+/);
}

function number(text: string, percentOf = 1): number {
  const value = Number.parseFloat(text);
  if (Number.isNaN(value)) throw new Error(`not a number: ${text}`);
  return text.endsWith("%") ? (value / 100) * percentOf : value;
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));
const encode = (linear: number) =>
  clamp(linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.max(linear, 0) ** (1 / 2.4) - 0.055);
const decode = (channel: number) => (channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4);

function hsl(h: number, s: number, l: number): Pick<Rgba, "r" | "g" | "b"> {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return { r: f(0), g: f(8), b: f(4) };
}

/** OKLCH to sRGB (Björn Ottosson's matrices); out-of-gamut channels are clipped, as Chromium paints them. */
function oklch(l: number, c: number, h: number): Pick<Rgba, "r" | "g" | "b"> {
  const a = c * Math.cos((h * Math.PI) / 180);
  const b = c * Math.sin((h * Math.PI) / 180);
  const l_ = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m_ = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s_ = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
  return {
    r: encode(4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_),
    g: encode(-1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_),
    b: encode(-0.0041960863 * l_ - 0.7034186147 * m_ + 1.707614701 * s_),
  };
}

/** Parses a colour value whose custom properties are already resolved. */
export function parseColor(value: string): Rgba {
  const text = value.trim().toLowerCase();
  if (text === "transparent") return { r: 0, g: 0, b: 0, a: 0 };
  if (text === "white") return { r: 1, g: 1, b: 1, a: 1 };
  if (text === "black") return { r: 0, g: 0, b: 0, a: 1 };
  const hex = /^#([0-9a-f]{3,8})$/.exec(text)?.[1];
  if (hex) {
    const full = hex.length <= 4 ? [...hex].map((digit) => digit + digit).join("") : hex;
    const channel = (i: number) => Number.parseInt(full.slice(i * 2, i * 2 + 2), 16) / 255;
    return { r: channel(0), g: channel(1), b: channel(2), a: full.length === 8 ? channel(3) : 1 };
  }
  const call = /^([a-z-]+)\((.*)\)$/s.exec(text);
  if (!call) throw new Error(`cannot read the colour ${value}`);
  const [, name, inner = ""] = call;
  const parts = args(inner);
  const alpha = (index: number) => (parts[index] === undefined ? 1 : number(parts[index] as string));
  switch (name) {
    case "rgb":
    case "rgba":
      return {
        r: number(parts[0] ?? "", 255) / 255,
        g: number(parts[1] ?? "", 255) / 255,
        b: number(parts[2] ?? "", 255) / 255,
        a: alpha(3),
      };
    case "hsl":
    case "hsla":
      return { ...hsl(number(parts[0] ?? ""), number(parts[1] ?? ""), number(parts[2] ?? "")), a: alpha(3) };
    case "oklch":
      return { ...oklch(number(parts[0] ?? ""), number(parts[1] ?? "", 0.4), number(parts[2] ?? "")), a: alpha(3) };
    case "color-mix":
      return colorMix(parts);
    default:
      throw new Error(`cannot read the colour ${value}`);
  }
}

/** `color-mix(in srgb, A p%, B)`: premultiplied interpolation of the encoded channels (CSS Color 5). */
function colorMix(parts: string[]): Rgba {
  if (parts[0] !== "in srgb") throw new Error(`color-mix ${parts[0]} is not supported here, only in srgb`);
  const weighted = parts.slice(1).map((part) => {
    const match = /^(.*?)(?:\s+([\d.]+%))?$/s.exec(part.trim());
    return { color: parseColor(match?.[1] ?? part), weight: match?.[2] ? number(match[2]) : null };
  });
  const [first, second] = weighted;
  if (!first || !second) throw new Error("color-mix needs two colours");
  const p = first.weight ?? (second.weight === null ? 0.5 : 1 - second.weight);
  const q = second.weight ?? 1 - p;
  const a = first.color.a * p + second.color.a * q;
  const channel = (key: "r" | "g" | "b") =>
    a === 0 ? 0 : (first.color[key] * first.color.a * p + second.color[key] * second.color.a * q) / a;
  return { r: channel("r"), g: channel("g"), b: channel("b"), a };
}

/** A translucent colour painted over an opaque one. */
export function over(top: Rgba, below: Rgba): Rgba {
  const mix = (key: "r" | "g" | "b") => top[key] * top.a + below[key] * (1 - top.a);
  return { r: mix("r"), g: mix("g"), b: mix("b"), a: 1 };
}

/** WCAG 2 relative luminance. */
function luminance(color: Rgba): number {
  return 0.2126 * decode(color.r) + 0.7152 * decode(color.g) + 0.0722 * decode(color.b);
}

/** WCAG 2 contrast ratio of a foreground on an opaque background, 1 to 21. */
export function contrast(foreground: Rgba, background: Rgba): number {
  const [light, dark] = [luminance(over(foreground, background)), luminance(background)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

/** `#rrggbb` of a colour, for failure messages. */
export function hex(color: Rgba): string {
  return `#${[color.r, color.g, color.b]
    .map((channel) =>
      Math.round(channel * 255)
        .toString(16)
        .padStart(2, "0"),
    )
    .join("")}`;
}
