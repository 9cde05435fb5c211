// The backward pass at the time cursor: the loss's computation graph at the cursor's
// point, drawn from the server's figure (figures.backprop), each node with its forward
// value and its adjoint, laid out by the server with room for every label (a box smaller
// than that scrolls). ▶ walks either mode node by node in the server's order: reverse
// mode once from the loss back (the adjoints), forward mode once per parameter from the
// inputs (the tangents); every text it writes is the server's (layout.meta.walks). Under
// it, the server's finite-difference check of the gradient, with its step h.
import { themeColour } from "./theme.js";
import { createLatest } from "./api.js";
import { formatNumber } from "./dom.js";
import { messageOf } from "./field-errors.js";
import { t, withLanguage } from "./messages.js";
import { plotlyOf } from "./plotly-loader.js";
import { drawPanelFigure } from "./traces.js";

const WALK_MS = 700;
const NODE_LINE = "#33414e";
const CURRENT = "#b3261e";

export function createBackpropPanel(
  { panel, plot, play, sample, sampleField, tree, mode, walkNote, status, check },
  { hasData, stepLimits, boxLimits },
) {
  let shown = null; // the server's answer drawn now
  const latest = createLatest();
  let walking = null;

  const traceOf = (role) => plot.data.findIndex((trace) => trace.meta?.role === role);
  const walks = () => plot.layout.meta.walks;
  const forward = () => mode.value === "forward";

  // h runs over powers of ten within the API's bounds.
  check.step.min = String(Math.round(Math.log10(stepLimits.min)));
  check.step.max = String(Math.round(Math.log10(stepLimits.max)));
  check.step.value = String(Math.round(Math.log10(stepLimits.default)));
  const stepOf = () => 10 ** Number(check.step.value);
  const showStep = () => { check.stepValue.textContent = `h = 1e${check.step.value}`; };
  showStep();

  function stopWalk() {
    clearInterval(walking);
    walking = null;
    play.textContent = t(forward() ? "backprop_play_forward" : "backprop_play");
  }

  /** What the mode does, and pass `index` (forward mode) of how many. */
  function describe(index = 0) {
    const cost = shown.cost;
    const passes = t("backprop_passes", {
      forward: cost.forward_mode_passes, reverse: cost.reverse_mode_passes,
    });
    const count = shown.parameters.length;
    const what = forward()
      ? t("backprop_walk.forward", {
        pass: index + 1, count, parameter: shown.forward.passes[index].parameter,
        derivative: formatNumber(shown.forward.passes[index].derivative),
      })
      : t("backprop_walk.reverse", { parameters: shown.parameters.join(", "), count });
    walkNote.textContent = `${what} ${passes}`;
  }

  /** Show mode's texts (forward pass `index`): the nodes' labels and the title. */
  function showMode(index = 0) {
    const { labels, titles } = walks();
    const texts = forward() ? labels.forward[index] : labels.reverse;
    const update = { "title.text": forward() ? titles.forward[index] : titles.reverse };
    labels.annotations.forEach((at, k) => { update[`annotations[${at}].text`] = texts[k]; });
    panel.dataset.mode = mode.value;
    panel.dataset.pass = String(index + 1);
    describe(index);
    return plotlyOf(plot).relayout(plot, update);
  }

  /** Highlight the first `count` nodes of the walk (of forward pass `index`) and the
   * edges into them, each with the term its mode adds. */
  function highlight(count, index = 0) {
    const order = forward() ? shown.forward.order : shown.backward_order;
    const done = new Set(order.slice(0, count));
    const current = order[count - 1];
    const crossed = forward() ? walks().edges.forward[index] : walks().edges.reverse;
    const edgeText = shown.edges.map((edge, k) => (done.has(edge.target)
      ? crossed[k] : formatNumber(edge.local)));
    return Promise.all([
      plotlyOf(plot).restyle(plot, {
        "marker.line.color": [shown.nodes.map((n) => (n.id === current ? CURRENT : themeColour(NODE_LINE)))],
        "marker.line.width": [shown.nodes.map((n) => (done.has(n.id) ? 4 : 1.5))],
      }, [traceOf("nodes")]),
      plotlyOf(plot).restyle(plot, { text: [edgeText] }, [traceOf("edges")]),
    ]).then(() => { panel.dataset.walked = String(count); });
  }

  function walk() {
    if (walking) { stopWalk(); return; }
    if (!shown) return;
    const order = forward() ? shown.forward.order : shown.backward_order;
    const passes = forward() ? shown.forward.passes.length : 1;
    let step = 0;
    play.textContent = t("pause");
    panel.dataset.walked = "0";
    walking = setInterval(async () => {
      const index = Math.floor(step / order.length);
      const count = (step % order.length) + 1;
      step += 1;
      if (count === 1) await showMode(index);
      await highlight(count, index);
      if (step >= order.length * passes) {
        stopWalk();
        panel.dataset.walkDone = mode.value;
      }
    }, WALK_MS);
  }

  play.addEventListener("click", walk);
  mode.addEventListener("change", async () => {
    stopWalk(); // the button names the mode's walk
    if (!shown) return;
    await showMode(0);
    await highlight(0);
  });

  /** The server's finite-difference check: each estimate beside the exact partial, what
   * it cost, and the error against h. */
  function showCheck(differences) {
    check.rows.replaceChildren(...shown.parameters.map((parameter, k) => {
      const row = document.createElement("li");
      row.textContent = t("finite_difference.row", {
        parameter,
        estimate: differences.estimate[k]?.toPrecision(10) ?? "—",
        exact: differences.exact[k]?.toPrecision(10) ?? "—",
        error: differences.error[k]?.toExponential(1) ?? "—",
      });
      return row;
    }));
    check.count.textContent = t("finite_difference.count", {
      evaluations: differences.evaluations, parameters: differences.parameters,
      many: differences.many.evaluations.toLocaleString("en"),
    });
    const swept = differences.sweep.map(({ h, relative_error: error }) => {
      const at = `${h.toExponential(0)}: ${error === null ? "—" : error.toExponential(0)}`;
      return Math.abs(Math.log10(h) - Number(check.step.value)) < 1e-9 ? `[${at}]` : at;
    });
    check.sweep.textContent = `${t("finite_difference.sweep")} ${swept.join(" · ")}`;
  }

  /** The graph keeps the least size its layout needs (the server's `meta`): in a smaller
   * box the panel scrolls, so no label is squeezed onto another. */
  function fitGraph(meta) {
    plot.style.setProperty("--least-width", meta?.least_width ? `${meta.least_width}px` : "0px");
    plot.style.setProperty("--least-height", meta?.least_height ? `${meta.least_height}px` : "0px");
  }

  return {
    /** Whether the panel is open (it asks for nothing while closed). */
    open: () => !panel.hidden,
    /** Listen to the check's step h (the caller redraws). */
    onStep(callback) {
      check.step.addEventListener("input", showStep);
      check.step.addEventListener("change", callback);
    },
    /** Draw the graph at the cursor `{surface, point, minibatch}` (on a data surface, of
     * the chosen sample, with the mean over the step's minibatch when it drew one). */
    async draw({ surface, point, minibatch }) {
      if (panel.hidden || !point) return;
      const data = hasData(surface.id); // one sample's loss: which sample
      sampleField.hidden = !data;
      const body = { surface, point, figure: true, shared: !tree.checked, h: stepOf() };
      // The figure is laid out for the panel's width (one narrower than it needs scrolls);
      // a panel not shown (an inactive tab) has none, and the server's default is used.
      const width = Math.round(panel.clientWidth);
      if (width >= boxLimits.min && width <= boxLimits.max) body.width = width;
      // A person counts samples from 1 (the field); the API indexes them from 0.
      if (data) body.sample = Math.max(Math.trunc(Number(sample.value)) || 1, 1) - 1;
      if (data && minibatch) body.minibatch = minibatch;
      try {
        const answer = await latest.post(withLanguage("/api/backprop"), body);
        if (!answer) return;
        stopWalk();
        shown = answer;
        fitGraph(answer.figure.layout.meta);
        await drawPanelFigure(plot, answer.figure);
        if (forward()) await showMode(0);
        else describe();
        showCheck(answer.finite_differences);
        panel.dataset.h = String(answer.finite_differences.h);
        status.textContent = "";
        panel.dataset.walked = "0";
        panel.dataset.mode = mode.value;
        panel.dataset.point = point.join(",");
      } catch (error) {
        status.textContent = messageOf(error.detail ?? error.message);
      }
    },
    stop: stopWalk,
  };
}
