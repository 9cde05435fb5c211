// Every text a person reads comes from the server's catalogue of the page's language
// (gradtrail/locales/<lang>.json, carried inline by the page): nothing is typed here.

let language = "en";
let table = {};

/** Use the catalogue `messages` of `lang` from now on. */
export function useMessages(lang, messages) {
  language = lang;
  table = messages;
  document.documentElement.lang = lang;
}

/** The page's language ("en", "ja"). */
export function currentLanguage() {
  return language;
}

/** `path` (a server path, maybe with a query) asking for this page's language. */
export function withLanguage(path) {
  const url = new URL(path, window.location.origin);
  url.searchParams.set("lang", language);
  return `${url.pathname}${url.search}`;
}

/** Whether the catalogue has a text `id`. */
export function hasText(id) {
  return Object.hasOwn(table, id);
}

/** The text for `id` with `{name}` placeholders filled from `values`. */
export function t(id, values = {}) {
  const text = table[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** Fill every element that names a message in `data-text` (and `data-aria-text`). */
export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-text]")) {
    element.textContent = t(element.dataset.text);
  }
  for (const element of root.querySelectorAll("[data-aria-text]")) {
    element.setAttribute("aria-label", t(element.dataset.ariaText));
  }
  // Shown by CSS in an empty plot, until Plotly draws into it.
  for (const element of root.querySelectorAll("[data-loading-text]")) {
    element.dataset.loading = t(element.dataset.loadingText);
  }
}
