// The lesson alone (embed and export): its caption, the contour with the precomputed
// paths, the loss plot and the lesson's panels, all following one time cursor.
// Options come from the address: ?theme=light|dark ?controls=0|1 ?autoplay=0|1 ?speed=2
// (no autoplay when the system asks for reduced motion, unless ?autoplay=1)
// (in the query or the fragment). The paths come inline, or, for an embed whose spec
// is in the fragment (#spec=… or #preset=…, with #panels=… to choose the panels),
// from /api/player. The server drew the panels that follow the cursor at a few steps
// (data.panels.steps); the player shows the frame at or before the cursor.
// A classic script, not a module, so the exported file can inline it.
(function () {
  "use strict";
  var TICK_MS = 33;
  var PLOT_CONFIG = { responsive: true, displaylogo: false };
  var DARK = {
    paper: "#0f1419", ink: "#e6edf3", grid: "#2b3440", muted: "#9fb0c0",
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
    // The house template stays (its margins, its axes' room); its colours are overridden.
    figure.layout.paper_bgcolor = DARK.paper;
    figure.layout.plot_bgcolor = DARK.paper;
    figure.layout.font = Object.assign({}, figure.layout.font, { color: DARK.ink });
    Object.keys(figure.layout).concat(["xaxis", "yaxis"]).forEach(function (key) {
      if (/^[xy]axis\d*$/.test(key)) figure.layout[key] = Object.assign({}, figure.layout[key], axis);
    });
    figure.layout.legend = Object.assign({}, figure.layout.legend, { bgcolor: "rgba(15,20,25,0.85)", bordercolor: DARK.grid });
    // texts set on a white ground (the backward pass's labels, its edges' numbers)
    figure.layout.annotations = (figure.layout.annotations || []).map(function (note) {
      return note.bgcolor ? Object.assign({}, note, { bgcolor: "rgba(15,20,25,0.8)" }) : note;
    });
    figure.data.forEach(function (trace) {
      if (trace.type === "contour") {
        trace.colorscale = DARK.scale;
        trace.line = Object.assign({}, trace.line, { color: "rgba(230,237,243,0.25)" });
      }
      if (trace.mode === "text" && trace.textfont) trace.textfont = Object.assign({}, trace.textfont, { color: DARK.muted });
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
    if (query.get("panels") !== null) lang += "&panels=" + encodeURIComponent(query.get("panels"));
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

  var CURSOR_LINE = { color: "#5b6b7b", width: 1.5, dash: "dot" };

  /** A function of the step: `figure`'s own shapes and a vertical line at the step over
   * every subplot (the x axes its traces use). */
  function cursorShapes(figure) {
    var own = (figure.layout.shapes || []).slice();
    var axes = {};
    figure.data.forEach(function (trace) { axes[trace.xaxis || "x"] = trace.yaxis || "y"; });
    return function (step) {
      return own.concat(Object.keys(axes).map(function (x) {
        return { type: "line", xref: x, yref: axes[x] + " domain", x0: step, x1: step, y0: 0, y1: 1,
          line: CURSOR_LINE, layer: "above" };
      }));
    };
  }

  /** Frame `index` of a panel whole: a null trace is the same trace of the frame before. */
  function resolvedFrames(frames, template) {
    var whole = [];
    frames.forEach(function (frame, index) {
      whole.push({
        data: frame.data.map(function (trace, j) { return trace === null ? whole[index - 1].data[j] : trace; }),
        layout: Object.assign({}, frame.layout, { template: template }),
      });
    });
    return whole;
  }

  /** A box for a plot in `parent`, named `label`; a figure with a least size (the
   * backward pass) keeps it, and its box scrolls (reached by the keyboard, so its arrows
   * scroll it). */
  function plotBox(parent, name, label) {
    var box = document.createElement("div");
    box.className = "player-box";
    box.dataset.view = name;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", label || name);
    box.tabIndex = 0;
    var plot = document.createElement("div");
    plot.className = "player-box-plot";
    box.appendChild(plot);
    parent.appendChild(box);
    return plot;
  }

  function fitted(figure, node, dark) {
    var copy = { data: figure.data.map(function (trace) { return Object.assign({}, trace); }),
      layout: Object.assign({}, figure.layout, { autosize: true, width: undefined, height: undefined }) };
    var least = figure.layout.meta || {};
    node.style.minWidth = least.least_width ? least.least_width + "px" : "";
    node.style.minHeight = least.least_height ? least.least_height + "px" : "";
    if (dark) darken(copy);
    return copy;
  }

  function draw(data) {
    var settings = options();
    var node = document.getElementById("plot");
    var play = document.getElementById("play");
    var scrubber = document.getElementById("scrubber");
    var label = document.getElementById("step-label");
    var figure = data.contour;
    var runs = data.runs;
    var panels = data.panels || { ids: [], steps: [0], frames: {} };
    var last = Math.max.apply(null, runs.map(function (r) { return r.x.length - 1; }));
    var traces = [];
    figure.data.forEach(function (trace, index) {
      if (trace.meta && typeof trace.meta.run === "number") traces[trace.meta.run] = index;
    });
    if (data.caption) {
      document.getElementById("lesson-title").textContent = data.title;
      document.getElementById("lesson-caption").textContent = data.caption;
      document.getElementById("lesson").hidden = false;
    }
    if (settings.dark) {
      darken(figure);
      document.body.classList.add("dark");
    }
    if (!settings.controls) document.body.classList.add("no-controls");
    var layout = Object.assign({}, figure.layout, { autosize: true, width: undefined, height: undefined });
    var views = document.getElementById("views");
    // The loss plot under the contour; the panels in a column beside them.
    var names = panels.names || {};
    var lossNode = panels.loss ? plotBox(views, "loss", names.loss) : null;
    var column = document.getElementById("panels");
    column.hidden = panels.ids.length === 0;
    views.classList.toggle("with-panels", panels.ids.length > 0);
    var template = panels.template;
    var cursorPanels = panels.ids.filter(function (id) { return panels.frames[id]; }).map(function (id) {
      return { node: plotBox(column, id, names[id]), frames: resolvedFrames(panels.frames[id], template), shown: -1 };
    });
    var averagesNode = panels.averages ? plotBox(column, "averages", names.averages) : null;
    var lines = [];  // the figures a line marks the cursor on: the loss, the averages
    var step = 0;
    var timer = null;

    /** The frame at or before `at` among the steps the panels were drawn at. */
    function frameAt(at) {
      var index = 0;
      panels.steps.forEach(function (s, i) { if (s <= at) index = i; });
      return index;
    }

    function show(next) {
      step = Math.max(0, Math.min(last, next));
      scrubber.value = String(step);
      label.textContent = step + " / " + last;
      var drawn = [window.Plotly.restyle(node, {
        x: runs.map(function (r) { return r.x.slice(0, step + 1); }),
        y: runs.map(function (r) { return r.y.slice(0, step + 1); }),
      }, traces)];
      lines.forEach(function (line) {
        drawn.push(window.Plotly.relayout(line.node, { shapes: line.shapes(step) }));
      });
      var frame = frameAt(step);
      cursorPanels.forEach(function (panel) {
        if (panel.shown === frame) return;
        panel.shown = frame;
        var shown = fitted(panel.frames[frame], panel.node, settings.dark);
        drawn.push(window.Plotly.react(panel.node, shown.data, shown.layout, PLOT_CONFIG));
      });
      return Promise.all(drawn);
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
      var duration = data.replay_seconds * 1000 * Math.max(1, last - from) / Math.max(1, last) / settings.speed;
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
      // in a plot box the arrows scroll it (a backward pass wider than its box)
      if (event.target.closest && event.target.closest(".player-box") && event.key !== " ") return;
      if (event.key === " ") { event.preventDefault(); timer ? pause() : resume(); }
      if (event.key === "ArrowRight") { pause(); show(step + 1); }
      if (event.key === "ArrowLeft") { pause(); show(step - 1); }
    });
    scrubber.max = String(last);
    // The time cursor for a program (gradtrail export … -o lesson.mp4): seek(step)
    // pauses, draws that step and resolves once it is drawn, so a recorder steps frames
    // exactly instead of filming the clock.
    window.gradtrailPlayer = { last: last, seek: function (target) { pause(); return show(target); } };
    var first = [window.Plotly.newPlot(node, figure.data, layout, PLOT_CONFIG)];
    [[lossNode, panels.loss], [averagesNode, panels.averages]].forEach(function (pair) {
      if (!pair[0]) return;
      var shown = fitted(pair[1], pair[0], settings.dark);
      lines.push({ node: pair[0], shapes: cursorShapes(shown) });
      first.push(window.Plotly.newPlot(pair[0], shown.data, shown.layout, PLOT_CONFIG));
    });
    // Every plot follows its box (a caption that wraps, a window resized).
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { if (entry.target._fullLayout) window.Plotly.Plots.resize(entry.target); });
      });
      document.querySelectorAll(".player-plot, .player-box-plot").forEach(function (plot) { observer.observe(plot); });
    }
    Promise.all(first)
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
