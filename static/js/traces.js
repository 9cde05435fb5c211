// What the three plots share: finding the path traces and the Plotly settings.
import { describePlot } from "./describe.js";
import { plotlyOf } from "./plotly-loader.js";
import { themedData, themedLayout } from "./theme.js";

export const PLOT_CONFIG = {
  responsive: true,
  displaylogo: false,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"],
};

/** Indices of the traces that draw runs (their `meta.run`), in run order. */
export function runTraceIndices(node) {
  return node.data
    .map((trace, index) => ({ run: trace.meta?.run, index }))
    .filter((entry) => Number.isInteger(entry.run))
    .sort((a, b) => a.run - b.run)
    .map((entry) => entry.index);
}

const TYPED = {
  f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array,
  i2: Int16Array, u2: Uint16Array, i1: Int8Array, u1: Uint8Array,
};

/** plotly (Python) writes numpy arrays as {dtype, bdata}: a plain array of numbers. */
export function decodeArray(value) {
  if (!value || typeof value !== "object" || !("bdata" in value)) return value;
  const bytes = Uint8Array.from(atob(value.bdata), (c) => c.charCodeAt(0));
  return Array.from(new TYPED[value.dtype](bytes.buffer));
}

/** Path traces must hold plain arrays, since the page extends them point by point. */
function withPlainPaths(data) {
  return data.map((trace) =>
    Number.isInteger(trace.meta?.run)
      ? {
        ...trace, x: decodeArray(trace.x), y: decodeArray(trace.y), z: decodeArray(trace.z),
        ...(trace.customdata ? { customdata: decodeArray(trace.customdata) } : {}),
      }
      : trace,
  );
}

/** `figure` with each run trace holding that run's points so far (`runs[i].x`, …). */
function withRuns(figure, columns, runs) {
  const chunks = runs.map((r) => ({ x: r.x, y: r.y, loss: r.loss, off_plane: r.off_plane, first: 0 }));
  const data = columns(chunks);
  const traces = figure.data.map((trace) => {
    const run = trace.meta?.run;
    if (!Number.isInteger(run) || !runs[run]?.x.length) return trace;
    const filled = { ...trace };
    for (const [key, values] of Object.entries(data)) filled[key] = values[run].slice(); // Plotly may keep it
    return filled;
  });
  return { ...figure, data: traces };
}

/** Draw `figure` (plotly JSON from the server) into `node`, keeping the user's zoom; its
 * text description follows it (describe.js). */
export async function drawFigure(node, figure) {
  const layout = { ...figure.layout, autosize: true, height: undefined, width: undefined };
  await plotlyOf(node).react(node, themedData(withPlainPaths(figure.data)), themedLayout(layout), PLOT_CONFIG);
  describePlot(node);
  return node;
}

// Lecture mode's type: the main plots', a panel's (half the stage), the 3-D axes'.
const LECTURE_TYPE = { font: 24, title: 28, scene: 16 };
const PANEL_LECTURE_TYPE = { font: 18, title: 21, scene: 16 };
const SCENE_AXES = ["xaxis", "yaxis", "zaxis"];

/** Draw a panel's figure from the server (the backward pass, the data); in lecture mode
 * with the large type of the other plots. */
export async function drawPanelFigure(node, figure) {
  await drawFigure(node, figure);
  if (document.body.classList.contains("lecture")) await emphasizePanel(node, true);
}

/** The type sizes of `node`'s figure as the server made it, kept before lecture mode
 * changes them (every figure of a plot is styled alike, so they hold across redraws). */
function ownType(node) {
  if (!node.dataset.ownType) {
    const { font, title, scene } = node.layout;
    const sizes = { "font.size": font?.size, "title.font.size": title?.font?.size };
    for (const axis of scene ? SCENE_AXES : []) {
      sizes[`scene.${axis}.tickfont.size`] = scene[axis]?.tickfont?.size;
      sizes[`scene.${axis}.title.font.size`] = scene[axis]?.title?.font?.size;
    }
    node.dataset.ownType = JSON.stringify(sizes);
  }
  return JSON.parse(node.dataset.ownType);
}

/** `node`'s type in lecture mode (`type`), or back to its figure's own. */
function typeFor(node, on, type) {
  const own = ownType(node);
  if (!on) return own;
  const sizes = { "font.size": type.font, "title.font.size": type.title };
  for (const key of Object.keys(own)) if (key.startsWith("scene.")) sizes[key] = type.scene;
  return sizes;
}

/** A panel's type for lecture mode (on) or back to the figure's own (off). */
export function emphasizePanel(node, on) {
  if (!node.data) return null;
  return plotlyOf(node).relayout(node, typeFor(node, on, PANEL_LECTURE_TYPE));
}

/** Lecture mode: large type, thick paths and darker contour lines for a projector. */
export function emphasize(node, on) {
  if (!node.data) return null;
  const paths = runTraceIndices(node);
  const scale = on ? 1.8 : 1;
  const widths = paths.map((i) => (node.data[i].type === "scatter3d" ? 7 : 3) * scale);
  return Promise.all([
    plotlyOf(node).restyle(node, { "line.width": widths, "marker.size": paths.map(() => 5 * scale) }, paths),
    plotlyOf(node).relayout(node, typeFor(node, on, LECTURE_TYPE)),
  ]);
}

/**
 * Call `pick(point)` when a data point of the plot in `node` is clicked. Bound once
 * per node, after its first draw (Plotly adds `on` then), however often it is redrawn.
 */
export function onPointClick(node, pick) {
  if (node.dataset.clicks) return;
  node.dataset.clicks = "true";
  node.on("plotly_click", (event) => {
    const point = event.points?.[0];
    if (point) pick(point);
  });
}

/**
 * A plot whose run traces grow with the stream and replay to any step: the mechanism
 * the contour, loss and 3-D plots share. `columns(chunks)` turns each run's chunk
 * `{x, y, loss, off_plane, first}` (`off_plane` on a slice of many parameters) into its trace data (`{x, y}` or `{x, y, z}`); `prepare(figure)`
 * runs before each draw, and `onPoint(point)` on a click on a data point. With
 * `keepScale`, a replay keeps the axes of the whole paths (else they shrink to each step's).
 */
export function createPathPlot(node, columns, { prepare = null, onPoint = null, keepScale = false } = {}) {
  let traces = [];
  let scaleKept = false;
  /** Fix the x and y axes where autorange put them for the paths drawn so far. */
  function keepAxes() {
    const { xaxis, yaxis } = node._fullLayout;
    scaleKept = true;
    return plotlyOf(node).relayout(node, { "xaxis.range": [...xaxis.range], "yaxis.range": [...yaxis.range] });
  }
  /** Let the axes follow the paths again (plotly would keep the fixed range through a redraw). */
  function freeAxes() {
    scaleKept = false;
    return plotlyOf(node).relayout(node, { "xaxis.autorange": true, "yaxis.autorange": true });
  }
  return {
    node,
    /** Draw `figure`; with `runs`, their points so far are drawn in the same pass. */
    async reset(figure, runs = null) {
      prepare?.(figure);
      await drawFigure(node, runs ? withRuns(figure, columns, runs) : figure);
      if (scaleKept) await freeAxes();
      traces = runTraceIndices(node);
      if (onPoint) onPointClick(node, onPoint);
    },
    /** Append each run's new points: `points[i] = {x, y, loss, off_plane, first}`. */
    async extend(points) {
      if (scaleKept) await freeAxes(); // the paths grow again: so do the axes
      return plotlyOf(node).extendTraces(node, columns(points), traces);
    },
    /** Every run's path up to `step`. */
    async show(runs, step) {
      if (keepScale && !scaleKept && node._fullLayout) await keepAxes();
      const upTo = (values) => values.slice(0, step + 1);
      const chunks = runs.map((r) => ({
        x: upTo(r.x), y: upTo(r.y), loss: upTo(r.loss), off_plane: r.off_plane && upTo(r.off_plane), first: 0,
      }));
      return plotlyOf(node).restyle(node, columns(chunks), traces);
    },
  };
}
