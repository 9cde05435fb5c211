// Loss against step, log scale.
import { drawFigure, onPointClick, runTraceIndices } from "./traces.js";

const TINY = 1e-300; // a log axis cannot show an exact zero

const steps = (first, count) => Array.from({ length: count }, (_, i) => first + i);

/** The loss plot; a click on it calls `onPick(step)`. */
export function createConvergencePlot(node, { onPick }) {
  let traces = [];
  return {
    node,
    async reset(figure) {
      await drawFigure(node, figure);
      traces = runTraceIndices(node);
      onPointClick(node, (point) => onPick(Math.round(point.x)));
    },
    /** Append each run's new points: `points[i] = {x, y, loss, first}`. */
    extend(points) {
      return window.Plotly.extendTraces(
        node,
        {
          x: points.map((p) => steps(p.first, p.loss.length)),
          y: points.map((p) => p.loss.map((v) => Math.max(v, TINY))),
        },
        traces,
      );
    },
    show(runs, step) {
      return window.Plotly.restyle(
        node,
        {
          x: runs.map((r) => steps(0, Math.min(step + 1, r.loss.length))),
          y: runs.map((r) => r.loss.slice(0, step + 1).map((v) => Math.max(v, TINY))),
        },
        traces,
      );
    },
  };
}
