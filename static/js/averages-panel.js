// Moving averages: per coordinate and step, each run's gradient, the running averages its
// optimizer keeps and their bias-corrected values, from the server's figure
// (figures.moving_averages); a dashed line marks the time cursor.
import { createLatest } from "./api.js";
import { messageOf } from "./field-errors.js";
import { withLanguage } from "./messages.js";
import { plotlyOf } from "./plotly-loader.js";
import { drawPanelFigure } from "./traces.js";

export function createAveragesPanel({ panel, plot, status }) {
  const latest = createLatest();

  /** A dashed line at `step` across every subplot that draws something (each has its own
   * x axis): the axes the traces use, never a layout key left over from another figure
   * (a line on an x axis without its y axis is drawn at NaN). */
  function cursorLines(step) {
    const axes = new Set((plot.data ?? []).map((trace) => trace.xaxis ?? "x"));
    return [...axes].map((xref) => ({
      type: "line", xref, yref: "paper", x0: step, x1: step, y0: 0, y1: 1,
      line: { color: "#444", width: 1.5, dash: "dash" },
    }));
  }

  return {
    open: () => !panel.hidden,
    /** The averages of `spec`'s runs (asked again only when the spec changes), the cursor at `step`. */
    async draw({ spec, step }) {
      if (panel.hidden) return;
      try {
        const answer = await latest.post(withLanguage("/api/averages"), spec);
        if (answer) {
          await drawPanelFigure(plot, answer.figure);
          status.textContent = "";
        }
        if (plot.data) await plotlyOf(plot).relayout(plot, { shapes: cursorLines(step) });
        panel.dataset.step = String(step);
      } catch (error) {
        status.textContent = messageOf(error.detail ?? error.message);
      }
    },
  };
}
