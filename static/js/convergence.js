// Loss against step, log scale.
import { createPathPlot } from "./traces.js";

const TINY = 1e-300; // a log axis cannot show an exact zero

const steps = (first, count) => Array.from({ length: count }, (_, i) => first + i);

/** The loss plot; a click on it calls `onPick(step)`. */
export function createConvergencePlot(node, { onPick }) {
  return createPathPlot(
    node,
    (chunks) => ({
      x: chunks.map((c) => steps(c.first, c.loss.length)),
      y: chunks.map((c) => c.loss.map((v) => Math.max(v, TINY))),
    }),
    { onPoint: (point) => onPick(Math.round(point.x)) },
  );
}
