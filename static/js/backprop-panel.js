// The backward pass at the time cursor: the loss's computation graph at the cursor's
// point, drawn from the server's figure (figures.backprop), each node with its forward
// value and its adjoint. ▶ walks the backward pass node by node in the server's order,
// writing on each edge it crosses the chain-rule product the server computed.
import { postJSON } from "./api.js";
import { formatNumber } from "./dom.js";
import { messageOf } from "./field-errors.js";
import { t, withLanguage } from "./messages.js";
import { PLOT_CONFIG } from "./traces.js";

const WALK_MS = 700;
const NODE_LINE = "#33414e";
const CURRENT = "#b3261e";

export function createBackpropPanel({ panel, plot, play, sample, sampleField, status }, { hasData }) {
  let shown = null; // the server's answer drawn now
  let asked = 0; // the newest request: older answers are dropped
  let shownFor = ""; // the request `shown` answers: the same one again changes nothing
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
    const edgeText = shown.edges.map((edge) => (done.has(edge.target)
      ? `${formatNumber(edge.local)} × ${formatNumber(shown.nodes[edge.target].adjoint)} = ${formatNumber(edge.product)}`
      : formatNumber(edge.local)));
    return Promise.all([
      window.Plotly.restyle(plot, {
        "marker.line.color": [shown.nodes.map((n) => (n.id === current ? CURRENT : NODE_LINE))],
        "marker.line.width": [shown.nodes.map((n) => (done.has(n.id) ? 4 : 1.5))],
      }, [nodes]),
      window.Plotly.restyle(plot, { text: [edgeText] }, [edges]),
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

  return {
    /** Whether the panel is open (it asks for nothing while closed). */
    open: () => !panel.hidden,
    /** Draw the graph of `surface` at `point` (on a data surface, of the chosen sample). */
    async draw(surface, point) {
      if (panel.hidden || !point) return;
      const mine = ++asked;
      const data = hasData(surface.id); // one sample's loss: which sample
      sampleField.hidden = !data;
      const body = { surface, point, figure: true };
      if (data) body.sample = Number(sample.value) || 0;
      const key = JSON.stringify(body);
      if (key === shownFor) return; // e.g. a field's change event again on blur
      try {
        const answer = await postJSON(withLanguage("/api/backprop"), body);
        if (mine !== asked) return;
        stopWalk();
        shown = answer;
        shownFor = key;
        const { data: traces, layout } = answer.figure;
        await window.Plotly.react(plot, traces, { ...layout, autosize: true, height: undefined, width: undefined }, PLOT_CONFIG);
        status.textContent = "";
        panel.dataset.walked = "0";
        panel.dataset.point = point.join(",");
      } catch (error) {
        if (mine !== asked) return;
        status.textContent = messageOf(error.detail ?? error.message);
      }
    },
    stop: stopWalk,
  };
}
