// The sweep panel: axes to sweep, a progress bar, and a heatmap of the outcome
// (or, over a grid of start points, the map of which minimum each start reaches).
// A click on a cell opens that run as an ordinary trajectory.
import { describePlot } from "./describe.js";
import { themedData, themedLayout } from "./theme.js";
import { ApiError, postJSON, streamEvents } from "./api.js";
import { messageOf } from "./field-errors.js";
import { t } from "./messages.js";
import { plotlyOf } from "./plotly-loader.js";
import { statusWords } from "./status-words.js";
import { axisLabel } from "./sweep-controls.js";
import { PLOT_CONFIG, decodeArray, onPointClick } from "./traces.js";

const STATUS_COLOURS = { diverged: "#b3261e", max_steps: "#5b6875", converged: "#1b7f3b" };
const BASIN_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];
const TITLE_SIZE = 17;
const NARROW = 520; // px: below this a log axis labels only its decades (2 and 5 crowd them)

/**
 * `text` broken (with <br>) into lines of at most `width` px in `font`: between words, and
 * between two characters of Japanese, which writes none. A phone cut the sweep's title.
 */
function fitLines(text, width, font) {
  const context = (fitLines.canvas ??= document.createElement("canvas")).getContext("2d");
  context.font = font;
  // a short bracketed note is not broken, and a closing bracket or stop stays on its
  // character's line (Japanese line-breaking rules)
  const pieces = text.match(/[（(][^）)]{1,16}[）)]\s*|[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef][）」』、。]*|[^\s\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]+\s*|\s+/g) ?? [text];
  const lines = [""];
  for (const piece of pieces) {
    const line = lines.at(-1) + piece;
    if (lines.at(-1).trim() && context.measureText(line.trimEnd()).width > width) lines.push(piece.trimStart());
    else lines[lines.length - 1] = line;
  }
  return lines.map((line) => line.trim()).filter(Boolean).join("<br>");
}

/** Read the server's stream of a sweep: progress, then the result. */
async function streamSweep(spec, onProgress, signal) {
  let result = null;
  let failure = null;
  await streamEvents("/api/sweeps/stream", spec, {
    progress: (data) => onProgress(data.done / data.total),
    done: (data) => { result = data; },
    error: (data) => { failure = data.detail; },
  }, signal);
  if (failure || !result) throw new ApiError(500, failure ?? "the sweep stream ended early");
  return result;
}

/**
 * The single run that a cell stands for. An axis over one half of a pair (`betas[0]`,
 * `etas[1]`) keeps the other half the spec gave, or else the optimizer's default:
 * `defaults` is the API's `{optimizer id: {param: default}}`.
 */
export function cellRun(spec, values, defaults) {
  const optimizer = structuredClone(spec.optimizer);
  optimizer.params = optimizer.params ?? {};
  const start = [...(spec.start ?? [])];
  spec.axes.forEach((axis, k) => {
    const value = values[k];
    if (value === undefined) return;
    if (axis.name === "start.x") start[0] = value;
    else if (axis.name === "start.y") start[1] = value;
    else if (axis.name === "batch_size") optimizer.batch_size = Math.round(value);
    else if (axis.name.endsWith("]")) {
      const [name, part] = [axis.name.slice(0, -3), Number(axis.name.at(-2))];
      optimizer.params[name] = [...(optimizer.params[name] ?? defaults[optimizer.id][name])];
      optimizer.params[name][part] = value;
    } else optimizer.params[axis.name] = value;
  });
  const run = { surface: spec.surface, steps: spec.steps, optimizers: [optimizer] };
  if (start.length === 2) run.start = start;
  if (spec.seed) run.seed = spec.seed;
  return run;
}

export function createSweepPanel({ plot, progress, status }, { onOpenRun, startAxes, optimizers }) {
  const byId = Object.fromEntries(optimizers.map((o) => [o.id, o]));
  const defaults = Object.fromEntries(optimizers.map((o) =>
    [o.id, Object.fromEntries(o.params.map((p) => [p.name, p.default]))]));
  let controller = null;
  let shown = null; // { spec, result }

  /** Contour lines of the surface, to lay over a map of start points. */
  async function contourLines(spec, x, y) {
    const domain = [[x[0], x.at(-1)], [y[0], y.at(-1)]];
    const grid = await postJSON("/api/surfaces/grid", { surface: spec.surface, domain });
    return {
      type: "contour", x: grid.x, y: grid.y, z: grid.z, ncontours: 24, showscale: false, hoverinfo: "skip",
      contours: { coloring: "none" }, line: { color: "rgba(20,30,40,0.55)", width: 1 },
    };
  }

  async function heatmap(result, spec, signal) {
    const [axisX, axisY] = result.axes;
    const x = decodeArray(axisX.values);
    const y = axisY ? decodeArray(axisY.values) : [0];
    const rows = (grid) => grid.map((row) => Array.from(decodeArray(row)));
    const loss = rows(result.final_loss);
    const startGrid = axisY && startAxes.includes(axisX.name) && startAxes.includes(axisY.name);
    const cellData = result.status.map((row, j) =>
      row.map((s, i) => [statusWords(s, result.stationary?.[j]?.[i]), loss[j][i], result.steps_to_threshold[j][i] ?? "—", result.basin[j][i] ?? "—"]));
    const named = (a) => axisLabel(byId[spec.optimizer.id], a.name);
    const hover = `${named(axisX)} = %{x:.4g}${axisY ? `<br>${named(axisY)} = %{y:.4g}` : ""}`
      + `<br>%{customdata[0]}<br>${t("final_loss")} %{customdata[1]:.3g}`
      + `<br>${t("steps_to_threshold")} %{customdata[2]}<br>${t("figure.minimum")} %{customdata[3]}<extra></extra>`;
    const traces = [];
    if (startGrid) {
      const basins = result.basin.map((row) => row.map((b) => (b === null ? null : b)));
      const count = result.surface.minima.length;
      traces.push({
        type: "heatmap", x, y, z: basins, customdata: cellData, hovertemplate: hover, zmin: -0.5, zmax: count - 0.5,
        colorscale: BASIN_COLOURS.slice(0, count).flatMap((c, k) => [[k / count, c], [(k + 1) / count, c]]),
        colorbar: { title: { text: t("figure.minimum") }, tickvals: [...Array(count).keys()] }, opacity: 0.8,
      });
      traces.push(await contourLines(spec, x, y));
      traces.push({
        type: "scatter", mode: "markers", x: result.surface.minima.map((m) => m[0]), y: result.surface.minima.map((m) => m[1]),
        marker: { symbol: "star", size: 16, color: "white", line: { color: "black", width: 1.5 } }, hoverinfo: "skip", name: t("figure.minimum"),
      });
    } else {
      const logLoss = loss.map((row, j) => row.map((v, i) => (result.status[j][i] === "diverged" ? null : Math.log10(Math.max(v, 1e-300)))));
      const diverged = result.status.map((row) => row.map((s) => (s === "diverged" ? 1 : null)));
      traces.push({
        type: "heatmap", x, y, z: logLoss, customdata: cellData, hovertemplate: hover, colorscale: "Viridis",
        reversescale: true, colorbar: { title: { text: t("sweep_colorbar") } },
      });
      traces.push({
        type: "heatmap", x, y, z: diverged, customdata: cellData, hovertemplate: hover, showscale: false,
        colorscale: [[0, STATUS_COLOURS.diverged], [1, STATUS_COLOURS.diverged]], name: t("diverged"),
      });
    }
    const narrow = plot.clientWidth < NARROW;
    const axis = (a) => ({
      title: { text: named(a) }, type: a.scale === "log" ? "log" : "linear",
      ...(a.scale === "log" && narrow ? { minorloglabels: "none" } : {}),
    });
    const family = getComputedStyle(document.body).fontFamily;
    const title = fitLines(
      t(startGrid ? "basin_title" : "sweep_title", { optimizer: t(`optimizer.${spec.optimizer.id}`) }),
      Math.max(plot.clientWidth - 40, 160), `${TITLE_SIZE}px ${family}`,
    );
    const titleLines = title.split("<br>").length;
    const layout = {
      title: { text: title, x: 0.02, font: { size: TITLE_SIZE } },
      xaxis: axis(axisX), yaxis: axisY ? axis(axisY) : { visible: false },
      margin: { l: 70, r: 20, t: 30 + 22 * titleLines, b: 50 }, font: { family, size: 15 },
      template: undefined, paper_bgcolor: "#fff", plot_bgcolor: "#fff", showlegend: false,
    };
    if (signal.aborted) return null; // a newer sweep draws instead
    await plotlyOf(plot).react(plot, themedData(traces), themedLayout(layout), PLOT_CONFIG);
    describePlot(plot);
    return plot;
  }

  return {
    /** Run `spec` and draw it; resolves when drawn (or rejects with the server's error). */
    async run(spec) {
      controller?.abort();
      const mine = new AbortController(); // a newer sweep aborts this one, wherever it is
      controller = mine;
      status.textContent = "";
      progress.value = 0;
      progress.hidden = false;
      document.body.dataset.sweep = "running";
      try {
        const result = await streamSweep(spec, (fraction) => { progress.value = fraction; }, mine.signal);
        if (mine.signal.aborted) return;
        await heatmap(result, spec, mine.signal);
        if (mine.signal.aborted) return;
        shown = { spec, result };
        onPointClick(plot, (point) => onOpenRun(cellRun(shown.spec, [point.x, point.y], defaults)));
        document.body.dataset.sweep = "done";
      } catch (error) {
        if (mine.signal.aborted) return;
        status.textContent = messageOf(error.detail ?? error.message);
        document.body.dataset.sweep = "error";
      } finally {
        if (controller === mine) progress.hidden = true;
      }
    },
    stop() {
      controller?.abort();
    },
    resize() {
      if (plot.data) plotlyOf(plot).Plots.resize(plot);
    },
  };
}
