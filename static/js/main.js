// Wiring: one path for every change — state → URL → request → render.
import { ApiError, getJSON, postJSON, streamRun } from "./api.js";
import { createContourPlot } from "./contour.js";
import { createControls, messageOf } from "./controls.js";
import { createConvergencePlot } from "./convergence.js";
import { downloadImage, downloadNumbers, galleryCards, offer, shareText } from "./exports.js";
import { t, translatePage } from "./messages.js";
import { createPlayback } from "./playback.js";
import { readState, writeQuery, writeState } from "./state.js";
import { createSummary } from "./summary.js";
import { createSurfacePlot } from "./surface3d.js";
import { createSweepControls } from "./sweep-controls.js";
import { createSweepPanel } from "./sweep.js";
import { createInspector } from "./inspector.js";
import { emphasize, runTraceIndices } from "./traces.js";

const $ = (selector) => document.querySelector(selector);
const state = readState();
let controls;
let presets = [];
let current = null; // { controller, figures, runs }
let firstPointMarked = false;

const contour = createContourPlot($("#contour-plot"), { onPick: (x, y) => controls.setStart(x, y) });
const surface = createSurfacePlot($("#surface-plot"));
const convergence = createConvergencePlot($("#convergence-plot"));
const summary = createSummary($("#summary"));
let sweepControls;
const inspector = createInspector(
  { panel: $("#anatomy"), select: $("#anatomy-run"), stepPlot: $("#step-plot") },
  { contourNode: $("#contour-plot"), convergenceNode: $("#convergence-plot") },
);
const RECORD_LIMIT = 40_000; // runs × steps: beyond it the state would swell the stream

/** The request for `spec`: the optimizer state too, when the run is small enough. */
function withState(spec) {
  const steps = (spec.steps ?? 200) * spec.optimizers.length;
  return steps <= RECORD_LIMIT ? { ...spec, record: ["state"] } : spec;
}
let sweepPresets = [];
const sweepPanel = createSweepPanel(
  { plot: $("#sweep-plot"), progress: $("#sweep-progress"), status: $("#sweep-status") },
  { onOpenRun: (spec) => openRun(spec) },
);
const playback = createPlayback(
  {
    play: $("#play"), back: $("#step-back"), forward: $("#step-forward"),
    scrubber: $("#scrubber"), label: $("#step-label"), speed: $("#speed"),
  },
  { onShow: (step) => showStep(step) },
);

function visiblePlots() {
  return state.view === "3d" ? [surface, convergence] : [contour, convergence];
}
// In the sweep view the contour keeps being fed, so going back shows the current run.

function allPlots() {
  return [contour, surface, convergence];
}

/** Lecture mode: the plots and a one-line caption, large and keyboard-driven. */
async function setLecture(on) {
  state.lecture = on;
  document.body.classList.toggle("lecture", on);
  $("#lecture").setAttribute("aria-pressed", String(on));
  writeState(state.preset ? { ...state, spec: null } : state);
  await Promise.all(allPlots().map((plot) => emphasize(plot.node, on)));
  for (const plot of allPlots()) if (plot.node.data) window.Plotly.Plots.resize(plot.node);
}

function lectureKeys(event) {
  if (event.target.closest?.("input, textarea, select")) return;
  if (event.key === "l" || event.key === "L") setLecture(!state.lecture);
  else if (event.key === "Escape" && state.lecture) setLecture(false);
  else if (state.lecture && /^[1-9]$/.test(event.key) && presets[Number(event.key) - 1]) {
    loadPreset(presets[Number(event.key) - 1].id);
  }
}

function showStep(step) {
  if (!current?.runs) return null;
  return Promise.all([
    ...visiblePlots().map((plot) => plot.show(current.runs, step)),
    current.done ? inspector.draw(step) : null,
  ]);
}

function notice(text) {
  const box = $("#notice");
  box.textContent = text;
  box.hidden = !text;
  if (text) setTimeout(() => { if (box.textContent === text) box.hidden = true; }, 4000);
}

function caption() {
  const preset = presets.find((p) => p.id === state.preset);
  $("#caption").replaceChildren();
  if (!preset) return;
  const title = document.createElement("strong");
  title.textContent = preset.title;
  $("#caption").append(title, ` — ${preset.caption}`);
}

function specOfState() {
  return state.spec ?? presets.find((p) => p.id === (state.preset ?? "rosenbrock"))?.spec ?? presets[0].spec;
}

function linkQuery() {
  return writeQuery(state.preset ? { ...state, spec: null } : { ...state, preset: null });
}

/**
 * Run `spec`: ask for the figures and the stream at once; frames that arrive
 * before the figures are drawn wait in `current.runs` and are drawn right after.
 */
async function run(spec) {
  current?.controller.abort();
  const controller = new AbortController();
  current = { controller, figures: null, runs: null, drawn: null, ready: false, meta: null, done: null };
  writeState(state.preset ? { ...state, spec: null } : state);
  $("#export").href = `/export${linkQuery().replace(/(&|\?)(view|speed)=[^&]*/g, "")}`;
  caption();
  controls.clearErrors();
  playback.streaming();
  document.body.dataset.run = "streaming";
  try {
    const streaming = streamRun(withState(spec), handlers(controller), controller.signal);
    streaming.catch(() => {}); // its failure is reported once, below
    const figures = await postJSON("/api/figures", spec, controller.signal);
    await plotlyReady; // the requests above went out while plotly.js was still loading
    current.figures = figures;
    await Promise.all([
      contour.reset(figures.contour),
      convergence.reset(figures.convergence).then(bindLossClicks),
      state.view === "3d" ? surface.reset(figures.surface3d) : null,
    ]);
    if (controller.signal.aborted) return;
    if (state.lecture) await Promise.all(allPlots().map((plot) => emphasize(plot.node, true)));
    performance.mark("gradtrail:figures-drawn");
    current.colours = runTraceIndices(contour.node).map((i) => contour.node.data[i].line.color);
    controls.colour(current.colours);
    current.ready = true;
    if (current.meta) summary.start(current.meta, current.colours);
    scheduleDraw(controller);
    await streaming;
  } catch (error) {
    if (controller.signal.aborted || error.name === "AbortError") return;
    controller.abort(); // stop the other request too
    document.body.dataset.run = "error";
    if (error instanceof ApiError && error.status === 422) controls.showErrors(error.detail);
    else notice(t("network_error", { detail: error.message }));
  }
}

/**
 * Draw what arrived since the last paint, once per animation frame: a fast stream
 * sends many frames between two paints, and each extend redraws every path.
 */
function scheduleDraw(controller) {
  if (!current.ready || !current.runs || current.drawPending) return;
  current.drawPending = true;
  requestAnimationFrame(async () => {
    current.drawPending = false;
    if (controller.signal.aborted) return;
    const points = current.runs.map((run, i) => {
      const first = current.drawn[i];
      current.drawn[i] = run.x.length;
      return { x: run.x.slice(first), y: run.y.slice(first), loss: run.loss.slice(first), first };
    });
    if (points.some((p) => p.x.length)) {
      await Promise.all(visiblePlots().map((plot) => plot.extend(points)));
      if (!firstPointMarked) {
        firstPointMarked = true;
        performance.mark("gradtrail:first-point");
      }
    }
    finishIfComplete(controller);
  });
}

/** A click on the loss plot moves the time cursor there (bound once, after the first draw). */
function bindLossClicks() {
  const node = convergence.node;
  if (node.dataset.clicks) return;
  node.dataset.clicks = "true";
  node.on("plotly_click", (event) => {
    const point = event.points?.[0];
    if (point) playback.jump(Math.round(point.x));
  });
}

/** Once the stream is done and every point is drawn: the summary, replay, and the "done" flag. */
function finishIfComplete(controller) {
  if (!current.done || controller.signal.aborted) return;
  if (current.runs.some((run, i) => current.drawn[i] < run.x.length)) {
    scheduleDraw(controller);
    return;
  }
  summary.done(current.done.runs);
  playback.finished();
  inspector.reset(current.meta, current.runs, current.colours);
  inspector.draw(playback.step).then(() => { document.body.dataset.run = "done"; });
}

function handlers(controller) {
  return {
    meta(meta) {
      current.meta = meta;
      current.runs = meta.runs.map(() => ({ x: [], y: [], loss: [], grad_norm: [], state: {} }));
      current.drawn = meta.runs.map(() => 1); // the figures already hold each start point
      if (current.ready) summary.start(meta, current.colours);
    },
    frame(frame) {
      if (controller.signal.aborted) return;
      frame.runs.forEach((chunk, i) => {
        const target = current.runs[i];
        for (const key of ["x", "y", "loss", "grad_norm"]) target[key].push(...chunk[key]);
        for (const [name, values] of Object.entries(chunk.state ?? {})) {
          (target.state[name] ??= []).push(...values);
        }
      });
      playback.advanced(Math.max(...current.runs.map((r) => r.x.length - 1)));
      scheduleDraw(controller);
    },
    done(done) {
      current.done = done;
      if (current.ready) finishIfComplete(controller);
    },
    error(error) {
      notice(t("server_error", { detail: messageOf(error.detail) }));
    },
  };
}

function onChange(spec) {
  state.spec = spec;
  state.preset = null;
  run(spec);
}

/** Show the plots of `view`: contour, 3-D, or the sweep panel. */
function applyView() {
  const view = state.view;
  $("#contour-plot").hidden = view !== "contour";
  $("#surface-plot").hidden = view !== "3d";
  $("#sweep-plot").hidden = view !== "sweep";
  $("#sweep-form").hidden = view !== "sweep";
  document.body.classList.toggle("view-sweep", view === "sweep");
  $("#toggle-3d").setAttribute("aria-pressed", String(view === "3d"));
  $("#toggle-3d").textContent = view === "3d" ? t("view_2d") : t("view_3d");
  $("#toggle-sweep").setAttribute("aria-pressed", String(view === "sweep"));
}

function saveState() {
  writeState(state.preset ? { ...state, spec: null } : state);
}

/** The sweep view: the form over the current run settings, then the sweep itself. */
async function showSweep(sweep) {
  state.view = "sweep";
  applyView();
  const spec = controls.read();
  sweepControls.set(sweep ?? state.sweep, spec);
  if (sweep) {
    state.sweep = sweep;
    saveState();
    await sweepPanel.run(sweep);
  }
}

/** A cell of the sweep, opened as an ordinary run. */
function openRun(spec) {
  state.view = "contour";
  state.spec = spec;
  state.preset = null;
  applyView();
  controls.set(spec);
  run(spec);
}

function loadSweepPreset(id) {
  const preset = sweepPresets.find((p) => p.id === id);
  if (!preset) return;
  const { surface, optimizer, start, steps, seed } = preset.spec;
  const runSpec = { surface, optimizers: [optimizer], steps: Math.min(steps, 500) };
  if (start) runSpec.start = start;
  if (seed) runSpec.seed = seed;
  state.spec = runSpec;
  state.preset = null;
  controls.set(runSpec);
  $("#sweep-caption").textContent = preset.caption;
  run(runSpec); // the contour view behind the sweep shows these settings too
  showSweep(preset.spec);
}

async function toggle3d() {
  state.view = state.view === "3d" ? "contour" : "3d";
  const threeD = state.view === "3d";
  applyView();
  saveState();
  const plot = threeD ? surface : contour;
  if (current?.figures) {
    await plot.reset(threeD ? current.figures.surface3d : current.figures.contour);
    if (state.lecture) await emphasize(plot.node, true);
    if (current.runs) plot.show(current.runs, playback.step);
  }
  window.Plotly.Plots.resize(plot.node);
}

async function share(kind) {
  await offer($("#share-dialog"), kind, shareText(kind, window.location.origin, linkQuery()), notice);
}

function loadPreset(id) {
  state.preset = id;
  state.spec = null;
  const spec = specOfState();
  controls.set(spec);
  run(spec);
}

const plotlyReady = new Promise((resolve) =>
  window.Plotly ? resolve() : $("#plotly-js").addEventListener("load", resolve),
).then(() => performance.mark("gradtrail:plotly-ready"));

async function main() {
  translatePage();
  const [surfaces, optimizers, presetList, sweepList] = await Promise.all([
    getJSON("/api/surfaces"), getJSON("/api/optimizers"), getJSON("/api/presets"),
    getJSON("/api/sweep-presets"),
  ]);
  sweepPresets = sweepList;
  presets = presetList;
  performance.mark("gradtrail:catalog");
  controls = createControls($("#spec-form"), { surfaces, optimizers, onChange });
  sweepControls = createSweepControls($("#sweep-form"), { optimizers });
  $("#sweep-preset").replaceChildren(
    new Option("—", ""), ...sweepPresets.map((p) => new Option(p.title, p.id)),
  );
  $("#sweep-preset").addEventListener("change", (event) => loadSweepPreset(event.target.value));
  $("#sweep-form").addEventListener("submit", (event) => {
    event.preventDefault();
    showSweep(sweepControls.read(controls.read()));
  });
  $("#toggle-sweep").addEventListener("click", () => {
    if (state.view === "sweep") {
      state.view = "contour";
      applyView();
      saveState();
      window.Plotly.Plots.resize(contour.node);
    } else {
      showSweep(null);
      saveState();
    }
  });
  $("#gallery-cards").replaceChildren(
    ...galleryCards(presets, (id) => {
      $("#gallery").close();
      loadPreset(id);
    }),
  );
  $("#open-gallery").addEventListener("click", () => $("#gallery").showModal());
  $("#toggle-3d").addEventListener("click", toggle3d);
  $("#share").addEventListener("click", () => share("link"));
  $("#embed").addEventListener("click", () => share("embed"));
  const shown = () => (state.view === "3d" ? surface.node : contour.node);
  $("#download-png").addEventListener("click", () => downloadImage(shown(), "png"));
  $("#download-svg").addEventListener("click", () => downloadImage(shown(), "svg"));
  for (const format of ["csv", "json"]) {
    $(`#download-${format}`).addEventListener("click", async () => {
      const failure = await downloadNumbers(withState(specOfState()), format);
      if (failure) notice(t("server_error", { detail: failure }));
    });
  }
  $("#anatomy-run").addEventListener("change", () => inspector.draw(playback.step));
  $("#lecture").addEventListener("click", () => setLecture(!state.lecture));
  document.addEventListener("keydown", lectureKeys);
  if (state.lecture) await setLecture(true);
  if (!state.spec && !presets.some((p) => p.id === state.preset)) state.preset = "rosenbrock";
  const spec = specOfState();
  controls.set(spec);
  if (state.view === "3d") {
    state.view = "contour";
    await plotlyReady;
    await toggle3d();
  }
  const running = run(spec);
  if (state.view === "sweep") {
    await plotlyReady;
    await showSweep(state.sweep);
  }
  await running;
}

main();
