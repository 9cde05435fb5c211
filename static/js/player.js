// The plot alone (embed and export): draws the precomputed paths and plays them.
// A classic script, not a module, so the exported file can inline it.
(function () {
  "use strict";
  var TICK_MS = 33;
  var REPLAY_SECONDS = 6;

  function start() {
    var data = JSON.parse(document.getElementById("gradtrail-data").textContent);
    var node = document.getElementById("plot");
    var play = document.getElementById("play");
    var scrubber = document.getElementById("scrubber");
    var label = document.getElementById("step-label");
    var figure = data.contour;
    var runs = data.runs;
    var last = Math.max.apply(null, runs.map(function (r) { return r.x.length - 1; }));
    var traces = [];
    figure.data.forEach(function (trace, index) {
      if (trace.meta && typeof trace.meta.run === "number") traces[trace.meta.run] = index;
    });
    if (data.caption) figure.layout.title = { text: data.title, x: 0.02 };
    var layout = Object.assign({}, figure.layout, { autosize: true, width: undefined, height: undefined });
    var step = 0;
    var timer = null;

    function show(next) {
      step = Math.max(0, Math.min(last, next));
      scrubber.value = String(step);
      label.textContent = step + " / " + last;
      return window.Plotly.restyle(node, {
        x: runs.map(function (r) { return r.x.slice(0, step + 1); }),
        y: runs.map(function (r) { return r.y.slice(0, step + 1); }),
      }, traces);
    }
    function pause() {
      clearInterval(timer);
      timer = null;
      play.textContent = "▶";
    }
    function resume() {
      if (step >= last) show(0);
      // Position follows the clock, so a slow redraw skips steps instead of slowing down.
      var from = step;
      var began = performance.now();
      var duration = REPLAY_SECONDS * 1000 * Math.max(1, last - from) / Math.max(1, last);
      var drawing = false;
      timer = setInterval(function () {
        if (drawing) return;
        var progress = Math.min(1, (performance.now() - began) / duration);
        drawing = true;
        show(Math.max(step, Math.floor(from + progress * (last - from)))).then(function () {
          drawing = false;
          if (step >= last && timer) {
            pause();
            document.body.dataset.played = "true";
          }
        });
      }, TICK_MS);
      play.textContent = "❚❚";
    }
    play.addEventListener("click", function () { timer ? pause() : resume(); });
    scrubber.addEventListener("input", function () { pause(); show(Number(scrubber.value)); });
    document.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); timer ? pause() : resume(); }
      if (event.key === "ArrowRight") { pause(); show(step + 1); }
      if (event.key === "ArrowLeft") { pause(); show(step - 1); }
    });
    scrubber.max = String(last);
    window.Plotly.newPlot(node, figure.data, layout, { responsive: true, displaylogo: false })
      .then(function () { return show(0); })
      .then(function () {
        document.body.dataset.ready = "true";
        resume();
      });
  }

  if (window.Plotly && document.readyState !== "loading") start();
  else window.addEventListener("DOMContentLoaded", function () {
    if (window.Plotly) start(); else window.addEventListener("load", start);
  });
})();
