// The 3-D view: the surface with the paths drawn on it, at the heights the server chose.
import { createPathPlot } from "./traces.js";

export function createSurfacePlot(node) {
  let height = (loss) => loss;
  return createPathPlot(
    node,
    (chunks) => ({
      x: chunks.map((c) => c.x),
      y: chunks.map((c) => c.y),
      z: chunks.map((c) => c.loss.map(height)),
    }),
    {
      prepare(figure) {
        const meta = figure.layout.meta ?? {};
        const lift = meta.z_lift ?? 0; // the paths ride just above the surface
        height = meta.z_log
          ? (loss) => Math.log10(loss - meta.z_shift + meta.z_offset) + lift
          : (loss) => loss + lift;
      },
    },
  );
}
