// The data at the time cursor (line fit, neuron): the samples, the model's line or curve
// with its residuals and the minibatch the step drew, drawn from the server's figure
// (figures.data_view_figure); on the contour, the arrows of the per-sample gradients,
// their mean and the minibatch's (figures.arrow_traces).
import { createLatest } from "./api.js";
import { messageOf } from "./field-errors.js";
import { withLanguage } from "./messages.js";
import { plotlyOf } from "./plotly-loader.js";
import { drawPanelFigure } from "./traces.js";

const ROLE = "sample-gradients";

export function createDataPanel({ panel, plot, status }, { contourNode }) {
  const latest = createLatest();

  /** Take the arrows off the contour (a closed panel, a surface without data). */
  function clearArrows() {
    if (!contourNode.data) return null;
    const drawn = contourNode.data.flatMap((trace, i) => (trace.meta?.role === ROLE ? [i] : []));
    return drawn.length ? plotlyOf(contourNode).deleteTraces(contourNode, drawn) : null;
  }

  return {
    open: () => !panel.hidden,
    clearArrows,
    /** Draw the data at the cursor `{surface, point, minibatch}`. */
    async draw({ surface, point, minibatch }) {
      if (panel.hidden || !point) return;
      const body = { surface, point, figure: true };
      if (minibatch) body.minibatch = minibatch;
      try {
        const drawn = contourNode.data?.some((trace) => trace.meta?.role === ROLE);
        const answer = await latest.post(withLanguage("/api/data-view"), body, !drawn);
        if (!answer) return;
        await drawPanelFigure(plot, answer.figure);
        await clearArrows();
        if (contourNode.data) await plotlyOf(contourNode).addTraces(contourNode, answer.arrow_traces);
        status.textContent = "";
        panel.dataset.point = point.join(",");
        panel.dataset.batch = minibatch ? String(minibatch.step) : "";
      } catch (error) {
        status.textContent = messageOf(error.detail ?? error.message);
      }
    },
  };
}
