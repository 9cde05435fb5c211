// The plot alone (embed and export): draws the precomputed paths and plays them.
// Options come from the address: ?theme=light|dark ?controls=0|1 ?autoplay=0|1 ?speed=2
// (no autoplay when the system asks for reduced motion, unless ?autoplay=1)
// (in the query or the fragment). The paths come inline, or, for an embed whose spec
// is in the fragment (#spec=… or #preset=…), from /api/player.
// A classic script, not a module, so the exported file can inline it.
(function () {
  "use strict";
  var TICK_MS = 33;
  var REPLAY_SECONDS = 6;
  var DARK = {
    paper: "#0f1419", ink: "#e6edf3", grid: "#2b3440",
    scale: [[0, "#0f1419"], [0.35, "#17283a"], [0.7, "#24415f"], [1, "#3b6389"]],
  };

  function address() {
    var query = new URLSearchParams(window.location.search);
    new URLSearchParams(window.location.hash.replace(/^#/, "")).forEach(function (value, name) {
      query.set(name, value);
    });
    return query;
  }

  function options() {
    var query = address();
    var speed = Number(query.get("speed") || "1");
    return {
      dark: query.get("theme") === "dark",
      controls: query.get("controls") !== "0",
      // A reader who asked the system for less motion gets the whole path at once; the
      // button still plays it (?autoplay=1 asks for play all the same).
      autoplay: query.get("autoplay") === "1"
        || (query.get("autoplay") !== "0" && !window.matchMedia("(prefers-reduced-motion: reduce)").matches),
      speed: isFinite(speed) && speed > 0 ? speed : 1,
    };
  }

  function darken(figure) {
    var axis = { gridcolor: DARK.grid, zerolinecolor: DARK.grid, linecolor: DARK.grid };
    figure.layout.template = undefined;
    figure.layout.paper_bgcolor = DARK.paper;
    figure.layout.plot_bgcolor = DARK.paper;
    figure.layout.font = Object.assign({}, figure.layout.font, { color: DARK.ink });
    figure.layout.xaxis = Object.assign({}, figure.layout.xaxis, axis);
    figure.layout.yaxis = Object.assign({}, figure.layout.yaxis, axis);
    figure.layout.legend = Object.assign({}, figure.layout.legend, { bgcolor: "rgba(15,20,25,0.85)", bordercolor: DARK.grid });
    figure.data.forEach(function (trace) {
      if (trace.type === "contour") {
        trace.colorscale = DARK.scale;
        trace.line = Object.assign({}, trace.line, { color: "rgba(230,237,243,0.25)" });
      }
      if (trace.name === "minimum") trace.marker = Object.assign({}, trace.marker, { color: DARK.paper, line: { color: DARK.ink, width: 1.5 } });
    });
  }

  /** The spec in the fragment (base64url JSON), or null. */
  function fragmentSpec(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = Uint8Array.from(binary, function (c) { return c.charCodeAt(0); });
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  function fetchData() {
    var query = address();
    // The server rendered this page in its language (<html lang>): the data follows it.
    var lang = "lang=" + encodeURIComponent(document.documentElement.lang || "en");
    var request = query.get("spec")
      ? fetch("/api/player?" + lang, { method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify(fragmentSpec(query.get("spec"))) })
      : fetch("/api/player?" + lang + "&preset=" + encodeURIComponent(query.get("preset") || ""));
    return request.then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail));
        return body;
      });
    });
  }

  function start() {
    var inline = JSON.parse(document.getElementById("gradtrail-data").textContent);
    if (inline) {
      draw(inline);
      return;
    }
    Promise.resolve().then(fetchData).then(draw, function (error) {
      document.getElementById("plot").textContent = error.message;
      document.body.dataset.ready = "error";
    });
  }

  function draw(data) {
    var settings = options();
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
    if (settings.dark) {
      darken(figure);
      document.body.classList.add("dark");
    }
    if (!settings.controls) document.body.classList.add("no-controls");
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
      var duration = REPLAY_SECONDS * 1000 * Math.max(1, last - from) / Math.max(1, last) / settings.speed;
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
    scrubber.addEventListener("input", function () {
      var wanted = Number(scrubber.value);
      pause();
      show(wanted);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); timer ? pause() : resume(); }
      if (event.key === "ArrowRight") { pause(); show(step + 1); }
      if (event.key === "ArrowLeft") { pause(); show(step - 1); }
    });
    scrubber.max = String(last);
    // The time cursor for a program (gradtrail export … -o lesson.mp4): seek(step)
    // pauses, draws that step and resolves once it is drawn, so a recorder steps frames
    // exactly instead of filming the clock.
    window.gradtrailPlayer = { last: last, seek: function (target) { pause(); return show(target); } };
    window.Plotly.newPlot(node, figure.data, layout, { responsive: true, displaylogo: false })
      .then(function () { return show(settings.autoplay ? 0 : last); })
      .then(function () {
        document.body.dataset.ready = "true";
        if (settings.autoplay) resume();
        else pause(); // the button offers play
      });
  }

  if (window.Plotly && document.readyState !== "loading") start();
  else window.addEventListener("DOMContentLoaded", function () {
    if (window.Plotly) start(); else window.addEventListener("load", start);
  });
})();
