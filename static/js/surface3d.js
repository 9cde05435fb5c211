// The 3-D view: the surface with the paths drawn on it, at the heights the server chose.
import { drawFigure, runTraceIndices } from "./traces.js";

export function createSurfacePlot(node) {
  let traces = [];
  let height = (loss) => loss;

  const heights = (losses) => losses.map(height);

  return {
    node,
    async reset(figure) {
      const meta = figure.layout.meta ?? {};
      height = meta.z_log
        ? (loss) => Math.log10(loss - meta.z_shift + meta.z_offset)
        : (loss) => loss;
      await drawFigure(node, figure);
      traces = runTraceIndices(node);
    },
    /** Append each run's new points: `points[i] = {x, y, loss, first}`. */
    extend(points) {
      return window.Plotly.extendTraces(
        node,
        { x: points.map((p) => p.x), y: points.map((p) => p.y), z: points.map((p) => heights(p.loss)) },
        traces,
      );
    },
    show(runs, step) {
      const upTo = (values) => values.slice(0, step + 1);
      return window.Plotly.restyle(
        node,
        {
          x: runs.map((r) => upTo(r.x)),
          y: runs.map((r) => upTo(r.y)),
          z: runs.map((r) => heights(upTo(r.loss))),
        },
        traces,
      );
    },
  };
}
