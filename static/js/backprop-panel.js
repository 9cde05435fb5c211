// The backward pass at the time cursor: the loss's computation graph at the cursor's
// point, drawn from the server's figure (figures.backprop), each node with its forward
// value and its adjoint, laid out by the server with room for every label (a box smaller
// than that scrolls). ▶ walks the backward pass node by node in the server's order,
// writing on each edge it crosses the chain-rule product the server computed.
import { createLatest } from "./api.js";
import { formatNumber } from "./dom.js";
import { messageOf } from "./field-errors.js";
import { t, withLanguage } from "./messages.js";
import { plotlyOf } from "./plotly-loader.js";
import { drawPanelFigure } from "./traces.js";

const WALK_MS = 700;
const NODE_LINE = "#33414e";
const CURRENT = "#b3261e";

export function createBackpropPanel({ panel, plot, play, sample, sampleField, tree, status }, { hasData }) {
  let shown = null; // the server's answer drawn now
  const latest = createLatest();
  let walking = null;

  const traceOf = (role) => plot.data.findIndex((trace) => trace.meta?.role === role);

  function stopWalk() {
    clearInterval(walking);
    walking = null;
    play.textContent = t("backprop_play");
  }

  /** Highlight the first `count` nodes of the backward pass and the edges into them. */
  function highlight(count) {
    const done = new Set(shown.backward_order.slice(0, count));
    const current = shown.backward_order[count - 1];
    const nodes = traceOf("nodes");
    const edges = traceOf("edges");
    // Three short lines, the room the server's layout keeps over each edge.
    const edgeText = shown.edges.map((edge) => (done.has(edge.target)
      ? `${formatNumber(edge.local)}<br>× ${formatNumber(shown.nodes[edge.target].adjoint)}<br> = ${formatNumber(edge.product)}`
      : formatNumber(edge.local)));
    return Promise.all([
      plotlyOf(plot).restyle(plot, {
        "marker.line.color": [shown.nodes.map((n) => (n.id === current ? CURRENT : NODE_LINE))],
        "marker.line.width": [shown.nodes.map((n) => (done.has(n.id) ? 4 : 1.5))],
      }, [nodes]),
      plotlyOf(plot).restyle(plot, { text: [edgeText] }, [edges]),
    ]).then(() => { panel.dataset.walked = String(count); });
  }

  function walk() {
    if (walking) { stopWalk(); return; }
    if (!shown) return;
    let count = 0;
    play.textContent = t("pause");
    walking = setInterval(() => {
      count += 1;
      highlight(count);
      if (count >= shown.backward_order.length) stopWalk();
    }, WALK_MS);
  }

  play.addEventListener("click", walk);

  /** The graph keeps the least size its layout needs (the server's `meta`): in a smaller
   * box the panel scrolls, so no label is squeezed onto another. */
  function fitGraph(meta) {
    plot.style.setProperty("--least-width", meta?.least_width ? `${meta.least_width}px` : "0px");
    plot.style.setProperty("--least-height", meta?.least_height ? `${meta.least_height}px` : "0px");
  }

  return {
    /** Whether the panel is open (it asks for nothing while closed). */
    open: () => !panel.hidden,
    /** Draw the graph at the cursor `{surface, point, minibatch}` (on a data surface, of
     * the chosen sample, with the mean over the step's minibatch when it drew one). */
    async draw({ surface, point, minibatch }) {
      if (panel.hidden || !point) return;
      const data = hasData(surface.id); // one sample's loss: which sample
      sampleField.hidden = !data;
      const body = { surface, point, figure: true, shared: !tree.checked };
      if (data) body.sample = Number(sample.value) || 0;
      if (data && minibatch) body.minibatch = minibatch;
      try {
        const answer = await latest.post(withLanguage("/api/backprop"), body);
        if (!answer) return;
        stopWalk();
        shown = answer;
        fitGraph(answer.figure.layout.meta);
        await drawPanelFigure(plot, answer.figure);
        status.textContent = "";
        panel.dataset.walked = "0";
        panel.dataset.point = point.join(",");
      } catch (error) {
        status.textContent = messageOf(error.detail ?? error.message);
      }
    },
    stop: stopWalk,
  };
}
