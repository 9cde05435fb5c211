// plotly.js comes in two of its official bundles, both served by this server. The
// cartesian one (contour, heatmap, scatter) is preloaded by the page and run once the
// first run's requests are out, so the server computes while plotly.js starts up;
// the full one, the only one with 3-D traces, loads the first time a 3-D view opens.
// The full bundle is a superset of the same version, so it then serves every plot.

const BUNDLES = {
  cartesian: "/static/vendor/plotly-cartesian.min.js",
  full: "/static/vendor/plotly.min.js",
};
const loading = {};

/** Resolves once `bundle` (or a bundle that holds it) is on the page; a failure may be retried. */
export function loadPlotly(bundle = "cartesian") {
  if (bundle === "cartesian" && loading.full) return loading.full;
  loading[bundle] ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = BUNDLES[bundle];
    script.addEventListener("load", () => {
      performance.mark(`gradtrail:plotly-${bundle}`);
      resolve();
    });
    script.addEventListener("error", () => {
      delete loading[bundle];
      script.remove();
      reject(new Error(bundle === "full" ? "plotly.js for the 3-D view did not load" : "plotly.js did not load"));
    });
    document.head.append(script);
  });
  return loading[bundle];
}
