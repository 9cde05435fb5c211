// Moving averages: per coordinate and step, each run's gradient, the running averages its
// optimizer keeps and their bias-corrected values. The server draws the figure once per
// spec with empty traces (figures.moving_averages of the run's start); each trace's
// `meta.averages` names the recorded state it shows, which the page fills from what the
// stream already sent (live-run keeps it): the run is never asked for again. A dashed
// line marks the time cursor.
import { themeColour } from "./theme.js";
import { createLatest } from "./api.js";
import { messageOf } from "./field-errors.js";
import { withLanguage } from "./messages.js";
import { plotlyOf } from "./plotly-loader.js";
import { drawPanelFigure } from "./traces.js";

// How a trace shows its recorded vector: as it is, its size, or the root of an average of g².
const SHOWN = { value: (v) => v, abs: Math.abs, sqrt: (v) => Math.sqrt(Math.max(v, 0)) };

/** `outline` with every trace holding its recorded state: x the step (1, 2, …), y the value. */
function filled(outline, states) {
  const data = outline.data.map((trace) => {
    const wants = trace.meta?.averages;
    if (!wants) return trace;
    const values = states?.[wants.run]?.[wants.state] ?? [];
    return { ...trace, x: values.map((_, k) => k + 1), y: values.map(SHOWN[wants.show]) };
  });
  return { ...outline, data };
}

export function createAveragesPanel({ panel, plot, status }, { recordedState, withState }) {
  const latest = createLatest();
  let outline = null;
  let shown = null; // the outline, run and state lengths it was filled with, as last drawn

  /** A dashed line at `step` across every subplot that draws something (each has its own
   * x axis): the axes the traces use, never a layout key left over from another figure
   * (a line on an x axis without its y axis is drawn at NaN). */
  function cursorLines(step) {
    const axes = new Set((plot.data ?? []).map((trace) => trace.xaxis ?? "x"));
    return [...axes].map((xref) => ({
      type: "line", xref, yref: "paper", x0: step, x1: step, y0: 0, y1: 1,
      line: { color: themeColour("#444"), width: 1.5, dash: "dash" },
    }));
  }

  /** How much of each run's state there is: a redraw only when it grew. */
  function lengths(states) {
    return JSON.stringify((states ?? []).map((s) => Object.values(s)[0]?.length ?? 0));
  }

  return {
    open: () => !panel.hidden,
    /** The averages of `spec`'s runs as streamed so far (the figure asked for only when
     * the spec changes), the cursor at `step`. */
    async draw({ spec, step }) {
      if (panel.hidden) return;
      try {
        // the spec as the stream asked for it: with its state recorded when it is small enough
        const answer = await latest.post(withLanguage("/api/figures/averages"), withState(spec));
        if (answer) outline = answer.figure;
        const states = recordedState();
        // a run is known by its first state object (a new run makes new ones)
        const drawing = { outline, run: states?.[0], lengths: lengths(states) };
        if (outline && (shown?.outline !== outline || shown.run !== drawing.run || shown.lengths !== drawing.lengths)) {
          await drawPanelFigure(plot, filled(outline, states));
          shown = drawing;
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
