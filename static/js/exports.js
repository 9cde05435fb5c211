// Ways out of the page: a link or an <iframe> to share, the numbers as a file,
// the plot as an image. Pure functions of what they are given.
import { t, withLanguage } from "./messages.js";
import { plotlyOf } from "./plotly-loader.js";

/** Show `text` in the share dialog, selected, and try to copy it. */
export async function offer(dialog, kind, text, notice) {
  dialog.querySelector("#share-title").textContent = kind === "embed" ? t("embed_title") : t("share_title");
  const field = dialog.querySelector("#share-text");
  field.value = text;
  dialog.showModal();
  field.select();
  try {
    await navigator.clipboard.writeText(text);
    notice(t("copied"));
  } catch {
    /* the text is selected in the dialog: Ctrl+C copies it */
  }
}

/**
 * The link to this view, or the <iframe> snippet that embeds it (in this page's language)
 * with `panels`, the ids of the panels open (in the fragment, which the embed reads).
 */
export function shareText(kind, origin, fragment, panels = []) {
  const shown = `panels=${encodeURIComponent(panels.join(","))}`;
  const embedded = fragment ? `${fragment}&${shown}` : `#${shown}`;
  const url = `${origin}${withLanguage(kind === "embed" ? "/embed" : "/")}${kind === "embed" ? embedded : fragment}`;
  return kind === "embed"
    ? `<iframe src="${url}" width="960" height="540" style="border:0" loading="lazy" title="gradtrail"></iframe>`
    : url;
}

/** Offer `blob` as a download named `name`. */
function save(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** POST `spec` to `path` and save the answer as `name`; the failure's text, or null. */
async function downloadAnswer(path, spec, name) {
  const response = await fetch(path, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec),
  });
  if (!response.ok) return response.statusText;
  save(await response.blob(), name);
  return null;
}

/** The runs of `spec` as a file: CSV (a row per run and step) or JSON; null if it failed. */
export const downloadNumbers = (spec, format) =>
  downloadAnswer(withLanguage(`/api/runs?format=${format}`), spec, `gradtrail-runs.${format}`);

/**
 * The offline player of `spec` (with its lesson's title and caption, if it is one) as an
 * HTML file, with `panels`, the ids of the panels open.
 */
export function downloadExport(spec, preset, panels = []) {
  const query = new URLSearchParams({ panels: panels.join(",") });
  if (preset) query.set("preset", preset);
  return downloadAnswer(withLanguage(`/export?${query}`), spec, `gradtrail-${preset ?? spec.surface.id}.html`);
}

/** The spec itself as a JSON file: for views whose data makes a link too long. */
export function downloadSpec(spec) {
  save(new Blob([JSON.stringify(spec, null, 1)], { type: "application/json" }), "gradtrail-spec.json");
}

/** The plot in `node` as a PNG or SVG download. */
export function downloadImage(node, format) {
  plotlyOf(node).downloadImage(node, { format, width: 1600, height: 1000, filename: "gradtrail" });
}

/** The lesson cards, numbered in the API's (the course's) order; a click calls `onPick(id)`. */
export function galleryCards(presets, onPick) {
  return presets.map((preset, index) => {
    const card = document.createElement("button");
    card.type = "button";
    card.className = "card";
    card.dataset.preset = preset.id;
    const title = document.createElement("strong");
    title.textContent = `${index + 1}. ${preset.title}`;
    const text = document.createElement("span");
    text.textContent = preset.caption;
    card.append(title, text);
    card.addEventListener("click", () => onPick(preset.id));
    return card;
  });
}
