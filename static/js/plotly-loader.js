// plotly.js comes in two of its official bundles, both served by this server. The
// cartesian one (contour, heatmap, scatter) is preloaded by the page and run once the
// first run's requests are out, so the server computes while plotly.js starts up; the
// gl3d one (surface, scatter3d), a third of the size of the full bundle, loads the first
// time a 3-D view opens. Neither holds the other's traces, so both stay on the page: the
// cartesian instance as `window.Plotly`, the gl3d one as `window.PlotlyGl3d`, and a plot
// node names the one that draws it (`data-plotly="gl3d"`). Each bundle's URL (versioned,
// so cached for good) is the one the server wrote into the page (#plotly-bundles).

const GLOBALS = { cartesian: "Plotly", gl3d: "PlotlyGl3d" };
const loading = {};
let sources = null;

/** The plotly.js instance that draws `node`: the bundle its `data-plotly` names, else the cartesian one. */
export function plotlyOf(node) {
  return window[GLOBALS[node.dataset.plotly ?? "cartesian"]];
}

/** Resolves once `bundle` is on the page (the cartesian one first); a failure may be retried. */
export function loadPlotly(bundle = "cartesian") {
  loading[bundle] ??= (bundle === "cartesian" ? Promise.resolve() : loadPlotly())
    .then(() => addScript(bundle))
    .catch((error) => {
      delete loading[bundle];
      throw error;
    });
  return loading[bundle];
}

function addScript(bundle) {
  return new Promise((resolve, reject) => {
    const cartesian = window.Plotly;
    const script = document.createElement("script");
    sources ??= JSON.parse(document.querySelector("#plotly-bundles").textContent);
    script.src = sources[bundle];
    script.addEventListener("load", () => {
      // Every bundle sets window.Plotly as it runs: give it back to the cartesian one at
      // once, before any other code can call it (the load event follows the run directly).
      window[GLOBALS[bundle]] = window.Plotly;
      if (cartesian) window.Plotly = cartesian;
      performance.mark(`gradtrail:plotly-${bundle}`);
      resolve();
    });
    script.addEventListener("error", () => {
      script.remove();
      reject(new Error(bundle === "cartesian" ? "plotly.js did not load" : "plotly.js for the 3-D view did not load"));
    });
    document.head.append(script);
  });
}
