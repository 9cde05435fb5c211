// The contour plot: the surface, its minima and one path per run.
import { createPathPlot } from "./traces.js";

/** A click on the plot calls `onPick(x, y)`. */
export function createContourPlot(node, { onPick }) {
  return createPathPlot(
    node,
    (chunks) => ({ x: chunks.map((c) => c.x), y: chunks.map((c) => c.y) }),
    { onPoint: (point) => onPick(point.x, point.y) },
  );
}
