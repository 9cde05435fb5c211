// Each plot's short text description, for a screen reader: its title, what its axes show
// and over which range, and what it draws (its legend's names), in the page's language,
// written again after the plot is redrawn. The plot is a figure (role) named by its title
// and described by a visually hidden line beside it.
import { formatNumber } from "./dom.js";
import { t } from "./messages.js";

const WAIT_MS = 250; // a streaming run redraws often: its description follows once it rests

/** Plotly's markup as plain text. */
function plain(text) {
  return String(text ?? "").replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, "")
    .replace(/&nbsp;/g, " ").replace(/\s+/g, " ").trim();
}

/** `key`'s sentence about axis `name` (its title as the figure gives it, its range as drawn),
 * or "" for an axis not shown. */
function axisSentence(key, own, drawn) {
  if (!drawn || drawn.visible === false || !Array.isArray(drawn.range)) return "";
  const value = (end) => (typeof end === "number" ? formatNumber(drawn.type === "log" ? 10 ** end : end) : String(end));
  const [from, to] = drawn.range.map(value);
  return t(key, { name: plain(own?.title?.text ?? own?.title) || "—", from, to });
}

/** The description of the plot in `node` as it is drawn now. */
export function describe(node) {
  const own = node.layout; // the figure's own (plotly's full layout fills in placeholders)
  const drawn = node._fullLayout;
  const inScene = node.data.some((trace) => trace.type === "surface" || trace.type === "scatter3d");
  // A figure of several plots (the averages' four) is described by its title and traces.
  const single = inScene || !Object.keys(drawn).some((key) => /^[xy]axis\d+$/.test(key));
  const [ownAxes, drawnAxes] = inScene ? [own.scene, drawn.scene] : [own, drawn];
  const names = [...new Set(node.data.filter((trace) => trace.showlegend !== false && trace.visible !== false)
    .map((trace) => plain(trace.name)).filter(Boolean))];
  return [
    plain(own.title?.text ?? own.title),
    single ? axisSentence("plot_description.across", ownAxes?.xaxis, drawnAxes?.xaxis) : "",
    single ? axisSentence("plot_description.up", ownAxes?.yaxis, drawnAxes?.yaxis) : "",
    names.length ? t("plot_description.drawn", { names: names.join(", ") }) : "",
  ].filter(Boolean).join(" ") || t("plot_description.none");
}

function write(node) {
  if (!node._fullLayout || !node.data) return;
  let line = document.getElementById(`${node.id}-description`);
  if (!line) {
    line = document.createElement("p");
    line.id = `${node.id}-description`;
    line.className = "visually-hidden";
    node.after(line);
    node.setAttribute("aria-describedby", line.id);
    // The contour is an application for the keyboard's cross (keyboard-start.js), named so.
    if (!node.hasAttribute("role")) node.setAttribute("role", "figure");
  }
  line.textContent = describe(node);
  const title = plain(node.layout.title?.text ?? node.layout.title);
  if (node.getAttribute("role") === "figure" && title) node.setAttribute("aria-label", title);
}

/** Keep the description of the plot in `node` up to date (call after its first draw). */
export function describePlot(node) {
  write(node);
  if (node.dataset.described) return;
  node.dataset.described = "true";
  let timer = 0;
  node.on("plotly_afterplot", () => {
    clearTimeout(timer);
    timer = setTimeout(() => write(node), WAIT_MS);
  });
}
