// The contour plot: the surface, its minima and one path per run. A zoom (a box, the
// wheel, the axes' reset) asks the server for the contour over the new window.
import { postJSON } from "./api.js";
import { plotlyOf } from "./plotly-loader.js";
import { createPathPlot, decodeArray } from "./traces.js";

/** The window the axes show: [[xmin, xmax], [ymin, ymax]]. */
function shownWindow(node) {
  const { xaxis, yaxis } = node.layout;
  if (!xaxis?.range || !yaxis?.range) return null;
  return [xaxis.range.map(Number), yaxis.range.map(Number)];
}

/** `range` [low, high] moved inside ±`limit` keeping its width (at most the whole 2·limit),
 * or `range` itself when it is inside already. */
function inside(range, limit) {
  const [low, high] = range;
  if (low >= -limit && high <= limit) return range;
  const width = Math.min(high - low, 2 * limit);
  if (low < -limit) return [-limit, -limit + width];
  return [limit - width, limit];
}

/** Drawn heights for values `z` (rows of numbers or null) as the server draws them: where
 * its figure's meta says log-spaced, log10(f − min + span·1e-6) over this grid's values
 * (engine/figures/paths.py, heights_for), else the values themselves. */
function heightsLike(meta, z) {
  const values = z.flat().filter((v) => v !== null && Number.isFinite(v));
  if (!meta?.z_log || !values.length) return z;
  const low = Math.min(...values);
  const offset = (Math.max(...values) - low) * 1e-6;
  return z.map((row) => row.map((v) => (v === null ? null : Math.log10(v - low + offset))));
}

/** What keeps a plot's UI state across figures: its window. */
const revision = (domain) => JSON.stringify(domain);

/**
 * A click on the plot calls `onPick(x, y)`. A zoom calls `onZoom(domain)`, which returns
 * the surface (as the spec names it) to sample over that window; the grid is asked with
 * the figure's own resolution, and a newer zoom or a new figure cancels the request.
 * `body[data-grid]` is "pending" while a zoom's contour is on its way, "ready" once drawn.
 * A zoom stays within ±`limit` on each axis (the API's bound on a window).
 */
export function createContourPlot(node, { onPick, onZoom = null, limit = Infinity }) {
  let request = null;
  let listening = false;
  let stated = null; // the plane drawn, once a slice moved to its final one: a zoom asks on it
  const contourIndex = () => node.data.findIndex((trace) => trace.type === "contour");

  function cancel() {
    request?.abort();
    request = null;
  }

  /** Whether the contour already covers `domain` (the figure's own, or a zoom's drawn). */
  function covers(domain) {
    const trace = node.data[contourIndex()];
    if (!trace) return true;
    const [x, y] = [decodeArray(trace.x), decodeArray(trace.y)];
    const [x0, x1, y0, y1] = [x[0], x.at(-1), y[0], y.at(-1)];
    const close = (a, b, width) => Math.abs(a - b) <= 1e-9 * Math.abs(width);
    return close(x0, domain[0][0], x1 - x0) && close(x1, domain[0][1], x1 - x0)
      && close(y0, domain[1][0], y1 - y0) && close(y1, domain[1][1], y1 - y0);
  }

  async function zoomed() {
    const shown = shownWindow(node);
    if (!onZoom || !shown) return;
    // A window may not reach past the API's limit: the axes move back inside it, and
    // that move is the zoom asked for (its relayout calls here again).
    const domain = shown.map((range) => inside(range, limit));
    if (domain.some((range, axis) => range !== shown[axis])) {
      await plotlyOf(node).relayout(node, { "xaxis.range": domain[0], "yaxis.range": domain[1] });
      return;
    }
    if (covers(domain)) return;
    cancel();
    const controller = new AbortController();
    request = controller;
    document.body.dataset.grid = "pending";
    const index = contourIndex();
    const resolution = decodeArray(node.data[index].x).length; // the figure's own
    const asked = onZoom(domain);
    const surface = stated ? { ...asked, plane: { ...asked.plane, ...stated } } : asked;
    const body = { surface, resolution, domain };
    try {
      const grid = await postJSON("/api/surfaces/grid", body, controller.signal);
      if (controller.signal.aborted) return;
      const z = heightsLike(node.layout.meta, grid.z);
      // The window drawn is now the zoom's: a figure of another window (fit) is drawn as
      // it comes, one of this window keeps what the person did to the plot.
      await plotlyOf(node).update(
        node, { x: [grid.x], y: [grid.y], z: [z], customdata: [grid.z] }, { uirevision: revision(domain) }, [index],
      );
      document.body.dataset.grid = "ready";
    } catch (error) {
      if (error.name !== "AbortError" && !controller.signal.aborted) delete document.body.dataset.grid;
    } finally {
      if (request === controller) request = null;
    }
  }

  /** A zoom from now on asks for the loss on `plane` (its origin and directions). */
  const keepPlane = (plane) => {
    stated = { origin: plane.origin, directions: plane.directions };
  };

  const plot = createPathPlot(
    node,
    (chunks) => ({
      x: chunks.map((c) => c.x),
      y: chunks.map((c) => c.y),
      // on a slice, each point's distance from the plane: the paths' hover says it
      ...(chunks.every((c) => c.off_plane) ? { customdata: chunks.map((c) => c.off_plane) } : {}),
    }),
    {
      onPoint: (point) => onPick(point.x, point.y),
      // A new window is a new view: the zoom of the window before does not carry over
      // (the spec holds a zoom as its window, so a drawn figure has it as its range).
      prepare(figure) {
        const { xaxis, yaxis } = figure.layout;
        figure.layout.uirevision = revision([xaxis?.range, yaxis?.range]);
      },
    },
  );
  return {
    ...plot,
    async reset(figure, runs = null) {
      cancel(); // a new figure has its own contour
      stated = null;
      delete document.body.dataset.grid;
      await plot.reset(figure, runs);
      if (!listening) {
        listening = true;
        node.on("plotly_relayout", (change) => {
          if (Object.keys(change).some((key) => key.startsWith("xaxis") || key.startsWith("yaxis"))) zoomed();
        });
      }
    },
    keepPlane,
    /**
     * Move to the plane `surface.plane` states (a slice's final plane, its origin and
     * directions): the server's loss on it over `domain`, and the paths of `runs` (their
     * coordinates on it, as the server projected them) up to `step`.
     */
    async toPlane(surface, domain, runs, step) {
      cancel();
      const controller = new AbortController();
      request = controller;
      const index = contourIndex();
      const resolution = decodeArray(node.data[index].x).length; // the figure's own
      try {
        const grid = await postJSON("/api/surfaces/grid", { surface, resolution, domain }, controller.signal);
        if (controller.signal.aborted) return;
        keepPlane(surface.plane);
        const z = heightsLike(node.layout.meta, grid.z);
        await plotlyOf(node).update(
          node, { x: [grid.x], y: [grid.y], z: [z], customdata: [grid.z] },
          { "xaxis.range": domain[0], "yaxis.range": domain[1], uirevision: revision(domain) }, [index],
        );
        await plot.show(runs, step);
      } finally {
        if (request === controller) request = null;
      }
    },
  };
}
