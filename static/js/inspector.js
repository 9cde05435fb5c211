// Step anatomy: at the time cursor, arrows on the contour for the negative gradient,
// the momentum / first-moment direction and the step taken; the update equations
// with the numbers of that step; and a panel of step size, gradient norm and lr.
// The numbers are the server's (recorded state): the page only lays them out.
import { describePlot } from "./describe.js";
import { themeColour, themedData, themedLayout } from "./theme.js";
import { formatNumber as fmt } from "./dom.js";
import { t } from "./messages.js";
import { plotlyOf } from "./plotly-loader.js";
import { PLOT_CONFIG } from "./traces.js";

const ARROWS = [
  { key: "descent", colour: "#b3261e" },
  { key: "memory", colour: "#6a3d9a" },
  { key: "step", colour: "#111111" },
];

/**
 * A recorded number in LaTeX, as the page writes numbers (four digits): 0.5000, and an
 * exponent as a power of ten, −1.234 × 10⁻⁵ (not 1.234e-5, which TeX reads as e − 5).
 */
function latexNumber(v) {
  if (typeof v !== "number" || Number.isNaN(v)) return String.raw`\text{\textemdash}`;
  if (!Number.isFinite(v)) return v > 0 ? String.raw`\infty` : String.raw`-\infty`;
  const [mantissa, exponent] = fmt(v).split("e");
  // In braces: one group, which a narrow panel does not break after its ×.
  return exponent === undefined ? mantissa : String.raw`{${mantissa}\times10^{${Number(exponent)}}}`;
}

const pair = (state, name, k) => `(${latexNumber(state[`${name}_x`]?.[k])}, ${latexNumber(state[`${name}_y`]?.[k])})`;

/**
 * The value `$name` stands for at step index `k`, in LaTeX: the step number for `t`, a
 * recorded scalar (`lr`), or a recorded vector as its pair (`m` → (m_x, m_y)).
 */
function valueOf(state, name, k) {
  if (name === "t") return String(k + 1);
  if (state[name]) return latexNumber(state[name][k]);
  if (state[`${name}_x`]) return pair(state, name, k);
  return String.raw`\text{\$${name.replaceAll("_", String.raw`\_`)}}`;
}

/** The run's equations (LaTeX from its optimizer, via the server) with the numbers of step index `k`. */
function equations(info, state, k) {
  return info.anatomy.map((line) => {
    const latex = k < (line.early_steps ?? 0) ? line.early : line.latex;
    return latex.replace(/\$(\w+)/g, (_, name) => valueOf(state, name, k));
  });
}

/**
 * Typeset `latex` (written by the server) into `node` with KaTeX; where KaTeX is not on
 * the page, the LaTeX itself is shown, never nothing.
 */
function typeset(node, latex) {
  if (window.katex) window.katex.render(latex, node, { throwOnError: false, output: "htmlAndMathml" });
  else node.textContent = latex;
  return node;
}

/** The loss and each parameter's update of the run, typeset: the server's LaTeX, as sent. */
function formulas(meta, info) {
  return [meta.surface.loss_latex, ...(info.latex ?? [])].filter(Boolean).map((latex) => {
    const line = document.createElement("div");
    line.className = "formula";
    typeset(line, latex);
    return line;
  });
}

/** The recorded vector that carries the direction of past steps (momentum's velocity, Adam's m), or null. */
const memoryOf = (info, state) => (info.memory && state[`${info.memory}_x`] ? info.memory : null);

// A step is drawn to scale unless it would be shorter or longer than these parts of the
// plot's width; then all three arrows are drawn at one factor of it, and the panel says so.
const SHORTEST_ARROW = 0.05;
const LONGEST_ARROW = 0.35;

/**
 * The arrows of step `s` of `run`, from point s: the step taken (to point s + 1) and the
 * directions of −∇f and of the memory, all as long as the step is drawn. `factor` is
 * drawn length ÷ true length (1: to scale; null: no step to scale by).
 */
function arrows(run, info, s, span) {
  const state = run.state;
  const here = [run.x[s], run.y[s]];
  const length = Math.hypot(state.step_x[s], state.step_y[s]);
  const measurable = length > 0 && Number.isFinite(length);
  const shown = measurable ? Math.min(Math.max(length, span * SHORTEST_ARROW), span * LONGEST_ARROW) : span * SHORTEST_ARROW;
  const unit = (vx, vy) => {
    const n = Math.hypot(vx, vy);
    return n > 0 && Number.isFinite(n) ? [vx / n, vy / n] : null;
  };
  const memory = memoryOf(info, state);
  const directions = {
    descent: unit(-state.gradient_x[s], -state.gradient_y[s]),
    memory: memory ? unit(-state[`${memory}_x`][s], -state[`${memory}_y`][s]) : null,
    step: unit(state.step_x[s], state.step_y[s]),
  };
  const annotations = ARROWS.filter((a) => directions[a.key]).map((a) => ({
    x: here[0] + directions[a.key][0] * shown, y: here[1] + directions[a.key][1] * shown,
    ax: here[0], ay: here[1], xref: "x", yref: "y", axref: "x", ayref: "y",
    showarrow: true, arrowhead: 2, arrowsize: 1.3, arrowwidth: 3, arrowcolor: a.colour, text: "",
  }));
  return { annotations, length, factor: measurable ? shown / length : null };
}

export function createInspector({ panel, select, stepPlot }, { contourNode, convergenceNode, recordSteps }) {
  let current = null; // { meta, runs, colours }
  let plotted = null; // { run, points }: what the step plot shows, so a new result redraws it
  let plottedFormulas = null; // the run meta whose formulas are typeset (once per run shown)

  function stepFigure(run) {
    const k = run.state.step_x.map((_, i) => i + 1);
    const size = run.state.step_x.map((dx, i) => Math.hypot(dx, run.state.step_y[i]));
    return [
      { x: k, y: size, name: "|Δθ|", mode: "lines", line: { color: "#111", width: 2 } },
      { x: run.grad_norm.map((_, i) => i), y: run.grad_norm, name: "‖∇f‖", mode: "lines", line: { color: "#b3261e", width: 2 } },
      { x: k, y: run.state.lr, name: "η", mode: "lines", yaxis: "y2", line: { color: "#0b5cad", width: 2, dash: "dot" } },
    ];
  }

  function cursorLine(step) {
    return [{ type: "line", xref: "x", yref: "paper", x0: step, x1: step, y0: 0, y1: 1, line: { color: themeColour("#444"), width: 1.5, dash: "dash" } }];
  }

  function chosen() {
    return current?.runs[Number(select.value) || 0];
  }

  return {
    /** New run data: the list of runs to inspect, and the step panel. */
    reset(meta, runs, colours) {
      current = { meta, runs, colours };
      const previous = select.value;
      select.replaceChildren(...meta.runs.map((r, i) => new Option(r.label, String(i))));
      if (previous && Number(previous) < meta.runs.length) select.value = previous;
    },
    async draw(step) {
      const run = chosen();
      if (!run || !current) return;
      const recorded = Boolean(run.state?.step_x?.length);
      panel.classList.toggle("unrecorded", !recorded);
      const markers = current.runs.map((r, i) => {
        const k = Math.min(step, r.x.length - 1);
        return { x: r.x[k], y: r.y[k], xref: "x", yref: "y", showarrow: false, text: "●", font: { size: 20, color: current.colours[i] } };
      });
      const index = Number(select.value) || 0;
      const k = Math.min(step, run.x.length - 1);
      const range = contourNode._fullLayout?.xaxis?.range ?? [0, 1];
      // The step from point k to k + 1; at the last point, the step that led there.
      const s = recorded ? Math.min(k, run.state.step_x.length - 1) : 0;
      const info = current.meta.runs[index];
      const drawn = recorded ? arrows(run, info, s, Math.abs(range[1] - range[0])) : { annotations: [], factor: 1 };
      // Why no step is drawn: a path of its start alone took none; a slice's run steps its
      // whole vector, whose state is no arrow on the plane; else the run is too long to record.
      const unrecorded = run.x.length === 1
        ? t("anatomy_stopped_at_start")
        : current.meta.surface.plane
          ? t("anatomy_on_a_slice")
          : t("anatomy_unrecorded", { limit: recordSteps.toLocaleString("en") });
      if (plottedFormulas !== info) {
        panel.querySelector(".formulas").replaceChildren(...formulas(current.meta, info));
        plottedFormulas = info;
      }
      const lines = recorded
        ? equations(info, run.state, s).map((latex) => typeset(document.createElement("div"), latex))
        : [Object.assign(document.createElement("div"), { textContent: unrecorded })];
      panel.querySelector(".equations").replaceChildren(...lines);
      // The heading names the step the equations show: t = s + 1 takes point s to s + 1.
      panel.querySelector(".anatomy-step").textContent = recorded
        ? t("anatomy_heading", { step: s + 1, from: s, to: s + 1 })
        : `${t("step")} ${k}`;
      const scaled = drawn.factor !== null && Math.abs(drawn.factor - 1) > 1e-9;
      panel.querySelector(".anatomy-scale").textContent = scaled
        ? t("anatomy_scale", { factor: fmt(drawn.factor), length: fmt(drawn.length) })
        : drawn.factor === null ? t("anatomy_no_step") : t("anatomy_to_scale");
      const annotations = drawn.annotations;
      panel.querySelector("#legend-memory").hidden = !recorded || !memoryOf(info, run.state);
      const work = [
        plotlyOf(contourNode).relayout(contourNode, { annotations: themeColour([...markers, ...annotations]) }),
        convergenceNode.data ? plotlyOf(convergenceNode).relayout(convergenceNode, { shapes: cursorLine(step) }) : null,
      ];
      if (recorded) {
        const layout = {
          margin: { l: 55, r: 45, t: 10, b: 35 }, showlegend: true, legend: { orientation: "h", y: 1.15 },
          xaxis: { title: { text: t("step") } }, yaxis: { type: "log", exponentformat: "power", automargin: true, ticklabelstandoff: 6, minorloglabels: "complete", nticks: 4 },
          // automargin: the margin grows to hold the η ticks and, beside them, the axis title.
          yaxis2: { overlaying: "y", side: "right", showgrid: false, rangemode: "tozero", title: { text: "η" }, automargin: true },
          shapes: cursorLine(step), font: { family: getComputedStyle(document.body).fontFamily, size: 13 }, paper_bgcolor: "#fff",
        };
        if (plotted?.run !== run || plotted.points !== run.x.length) { // another run, result or length
          work.push(plotlyOf(stepPlot).react(stepPlot, themedData(stepFigure(run)), themedLayout(layout), PLOT_CONFIG)
            .then(() => describePlot(stepPlot)));
          plotted = { run, points: run.x.length };
        } else {
          work.push(plotlyOf(stepPlot).relayout(stepPlot, { shapes: cursorLine(step) }));
        }
      }
      await Promise.all(work);
      document.body.dataset.cursor = String(step);
    },
  };
}
