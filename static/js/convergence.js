// Loss against step, on the axis the server's figure chose (its layout.meta says how:
// f − loss_shift, no lower than loss_floor on a log axis, or the loss on a linear one).
import { createPathPlot } from "./traces.js";

const TINY = 1e-300; // a log axis cannot show an exact zero

const steps = (first, count) => Array.from({ length: count }, (_, i) => first + i);

/** The loss plot; a click on it calls `onPick(step)`. */
export function createConvergencePlot(node, { onPick }) {
  let height = (loss) => Math.max(loss, TINY);
  return createPathPlot(
    node,
    (chunks) => ({
      x: chunks.map((c) => steps(c.first, c.loss.length)),
      y: chunks.map((c) => c.loss.map(height)),
    }),
    {
      prepare(figure) {
        const { loss_shift: shift = 0, loss_log: log = true, loss_floor: floor = TINY } =
          figure.layout.meta ?? {};
        height = log ? (loss) => Math.max(loss - shift, floor) : (loss) => loss;
      },
      onPoint: (point) => onPick(Math.round(point.x)),
      keepScale: true, // scrubbing or clicking moves the cursor, not the axes
    },
  );
}
