// The contour plot: the surface, its minima and one path per run.
import { drawFigure, onPointClick, runTraceIndices } from "./traces.js";

export function createContourPlot(node, { onPick }) {
  let traces = [];

  return {
    node,
    async reset(figure) {
      await drawFigure(node, figure);
      traces = runTraceIndices(node);
      onPointClick(node, (point) => onPick(point.x, point.y));
    },
    /** Append each run's new points: `points[i] = {x, y, loss, first}`. */
    extend(points) {
      return window.Plotly.extendTraces(
        node,
        { x: points.map((p) => p.x), y: points.map((p) => p.y) },
        traces,
      );
    },
    show(runs, step) {
      return window.Plotly.restyle(
        node,
        { x: runs.map((r) => r.x.slice(0, step + 1)), y: runs.map((r) => r.y.slice(0, step + 1)) },
        traces,
      );
    },
  };
}
