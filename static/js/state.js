// The URL is the state: one table says each parameter's name, type and default,
// and the same table reads and writes the address, so a link reproduces the view.
// The state lives in the fragment (#spec=…), which the browser never sends to the
// server, so a spec of any size within the body limit makes a link; ?spec= links
// from before still open.

const FIELDS = [
  { name: "spec", type: "spec", fallback: null },
  { name: "preset", type: "string", fallback: null },
  { name: "view", type: "enum", values: ["contour", "3d", "sweep"], fallback: "contour" },
  { name: "sweep", type: "spec", fallback: null },
  { name: "speed", type: "number", fallback: 1 },
  { name: "lecture", type: "flag", fallback: false },
  // A panel: 1 open, 0 closed though its lesson opens it, absent as its lesson has it.
  { name: "backprop", type: "panel", fallback: null },
  { name: "data", type: "panel", fallback: null },
  { name: "averages", type: "panel", fallback: null },
  // The page's theme (the catalogue's names; theme.js): absent, the first.
  { name: "theme", type: "string", fallback: null },
];

/** UTF-8 JSON → base64url without padding (DESIGN.md's ?spec= format). */
export function encodeSpec(spec) {
  const bytes = new TextEncoder().encode(JSON.stringify(spec));
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The inverse of encodeSpec; null when the text is not a spec. */
export function decodeSpec(text) {
  try {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

const READERS = {
  spec: (text) => decodeSpec(text),
  string: (text) => text,
  enum: (text, field) => (field.values.includes(text) ? text : field.fallback),
  number: (text, field) => (Number.isFinite(Number(text)) ? Number(text) : field.fallback),
  flag: (text) => text === "1",
  panel: (text) => (text === "1" ? true : text === "0" ? false : null),
};
const WRITERS = {
  spec: (value) => encodeSpec(value),
  string: (value) => value,
  enum: (value) => value,
  number: (value) => String(value),
  flag: (value) => (value ? "1" : "0"),
  panel: (value) => (value ? "1" : "0"),
};

/** The state described by a location's query string and fragment (the fragment wins). */
export function readState(search = window.location.search, hash = window.location.hash) {
  const params = new URLSearchParams(search);
  for (const [name, value] of new URLSearchParams(hash.replace(/^#/, ""))) params.set(name, value);
  const state = {};
  for (const field of FIELDS) {
    const text = params.get(field.name);
    state[field.name] = text === null ? field.fallback : READERS[field.type](text, field);
  }
  return state;
}

/** The fragment for a state (defaults are left out): "#spec=…&view=3d", or "". */
export function writeFragment(state) {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    const value = state[field.name];
    if (value !== null && value !== undefined && value !== field.fallback) {
      params.set(field.name, WRITERS[field.type](value));
    }
  }
  const fragment = params.toString();
  return fragment ? `#${fragment}` : "";
}

/** Put the state in the address bar without a reload. */
export function writeState(state) {
  // The language stays in the query: the server renders the page in it.
  const lang = new URLSearchParams(window.location.search).get("lang");
  const query = lang ? `?lang=${encodeURIComponent(lang)}` : "";
  const url = `${window.location.pathname}${query}${writeFragment(state)}`;
  window.history.replaceState(null, "", url);
  return url;
}
