// Wiring: one path for every change — state → URL → request → render.
import { createContourPlot } from "./contour.js";
import { createControls } from "./controls.js";
import { element } from "./dom.js";
import { createConvergencePlot } from "./convergence.js";
import {
  downloadExport, downloadImage, downloadNumbers, downloadSpec, galleryCards, offer, shareText,
} from "./exports.js";
import { t, translatePage, useMessages } from "./messages.js";
import { createPlayback } from "./playback.js";
import { readState, writeFragment, writeState } from "./state.js";
import { createSummary } from "./summary.js";
import { createPlaneInfo } from "./plane-info.js";
import { createSurfacePlot } from "./surface3d.js";
import { createSweepControls } from "./sweep-controls.js";
import { createSweepPanel } from "./sweep.js";
import { createInspector } from "./inspector.js";
import { createBackpropPanel } from "./backprop-panel.js";
import { createDataPanel } from "./data-panel.js";
import { createAveragesPanel } from "./averages-panel.js";
import { createLiveRun, withState } from "./live-run.js";
import { loadPlotly, plotlyOf } from "./plotly-loader.js";
import { emphasize, emphasizePanel } from "./traces.js";
import { createPanelRow, followBoxes } from "./layout.js";
import { createAnnouncer } from "./announce.js";
import { createKeyboardStart } from "./keyboard-start.js";
import { knownTheme, useTheme } from "./theme.js";

const $ = (selector) => document.querySelector(selector);
const state = readState();
state.theme = knownTheme(state.theme); // before any figure is drawn
useTheme(state.theme);
// The API's catalogue, limits and defaults, carried inline by the page.
const catalog = JSON.parse(document.querySelector("#catalog").textContent);
useMessages(catalog.lang, catalog.messages);
/** Whether surface `id` is fitted to samples (the catalogue says): minibatches, a sample's graph. */
const hasData = (id) => catalog.surfaces.some((s) => s.id === id && s.data);
// Made once the catalogue has loaded:
let controls;
let sweepControls;
let live;
let presets = [];
let limits;
let sweepPresets = [];

const contour = createContourPlot($("#contour-plot"), {
  onPick: (x, y) => controls.setStart(x, y),
  onZoom: (domain) => {
    // The window is part of the spec, so of the link; the contour asks for its grid.
    state.spec = controls.setWindow(domain);
    state.preset = null;
    saveState();
    return state.spec.surface;
  },
  limit: catalog.limits.coordinate,
});
const surface = createSurfacePlot($("#surface-plot"));
const convergence = createConvergencePlot($("#convergence-plot"), {
  onPick: (step) => playback.jump(step),
});
const summaryTable = createSummary($("#summary"));
const planeInfo = createPlaneInfo({ box: $("#plane-info"), note: $("#plane-note"), offPlane: $("#off-plane") });
const announcer = createAnnouncer($("#announcement"));
// The table and the screen reader's line hear the same news.
const summary = {
  start(meta, colours) { summaryTable.start(meta, colours); announcer.start(meta); },
  done(summaries) { summaryTable.done(summaries); announcer.done(summaries); },
};
const inspector = createInspector(
  { panel: $("#anatomy"), select: $("#anatomy-run"), stepPlot: $("#step-plot") },
  {
    contourNode: $("#contour-plot"), convergenceNode: $("#convergence-plot"),
    recordSteps: catalog.limits.record_steps,
  },
);
const sweepPanel = createSweepPanel(
  { plot: $("#sweep-plot"), progress: $("#sweep-progress"), status: $("#sweep-status") },
  {
    onOpenRun: (spec) => openRun(spec), startAxes: catalog.sweep.start_axes,
    optimizers: catalog.optimizers,
  },
);
const playback = createPlayback(
  {
    play: $("#play"), back: $("#step-back"), forward: $("#step-forward"),
    scrubber: $("#scrubber"), label: $("#step-label"), speed: $("#speed"),
  },
  {
    onShow: (step) => {
      live.showStep(step);
      followCursor(step);
    },
    replaySeconds: catalog.defaults.replay_seconds,
  },
);
const backprop = createBackpropPanel({
  panel: $("#backprop"), plot: $("#backprop-plot"), play: $("#backprop-play"),
  sample: $("#backprop-sample"), sampleField: $("#backprop-sample-field"), tree: $("#backprop-tree"),
  mode: $("#backprop-mode"), walkNote: $("#backprop-walk"), status: $("#backprop-status"),
  check: {
    step: $("#fd-step"), stepValue: $("#fd-step-value"), rows: $("#fd-rows"),
    count: $("#fd-count"), sweep: $("#fd-sweep"),
  },
}, {
  hasData, stepLimits: catalog.limits.finite_difference_step,
  boxLimits: catalog.limits.figure_width,
});
const dataPanel = createDataPanel(
  { panel: $("#data-view"), plot: $("#data-plot"), status: $("#data-status") },
  { contourNode: $("#contour-plot") },
);
const averagesPanel = createAveragesPanel(
  { panel: $("#averages"), plot: $("#averages-plot"), status: $("#averages-status") },
  { recordedState: () => live.recordedState(), withState: (spec) => withState(spec, catalog) },
);
// The panels that follow the time cursor, each behind its toggle and state flag.
const panels = [
  { flag: "backprop", node: $("#backprop"), toggle: $("#toggle-backprop"), plot: $("#backprop-plot"), panel: backprop },
  { flag: "data", node: $("#data-view"), toggle: $("#toggle-data"), plot: $("#data-plot"), panel: dataPanel },
  { flag: "averages", node: $("#averages"), toggle: $("#toggle-averages"), plot: $("#averages-plot"), panel: averagesPanel },
];
// A panel keeps a readable width beside the others (app.css says which), else the open
// panels become tabs.
const arrangePanels = createPanelRow($("#panels"), $("#panel-tabs"));
followBoxes(document.querySelectorAll(".plot"));
let cursorTimer = null;
let runs = 0; // counts the runs started, so a panel knows whether its drawing is of the latest

/**
 * Where the cursor is, for the panels: the spec, the step, the surface, run `index`'s
 * point there, and the minibatch the step leaving that point drew (if the run draws them).
 */
function cursorAt(step) {
  const spec = specOfState();
  const index = Number($("#anatomy-run").value) || 0;
  const at = live.pointAt(step, index);
  if (!at) return null;
  const size = spec.optimizers[index]?.batch_size;
  // The seed as the spec has it; without one, the server's default for both.
  const minibatch = size && !at.final ? { size, seed: spec.seed, run: index, step: at.step } : null;
  return { spec, step, surface: spec.surface, point: at.point, minibatch };
}

/** The open panels follow the cursor (a drag asks once it rests for a moment). */
function followCursor(step = playback.step) {
  const open = panels.filter(({ panel }) => panel.open());
  if (!open.length) return;
  clearTimeout(cursorTimer);
  const drawing = runs;
  cursorTimer = setTimeout(() => {
    const cursor = cursorAt(step);
    if (!cursor) return; // the run failed: what the panels show stays marked as not its own
    for (const { panel, node } of open) {
      panel.draw(cursor).finally(() => { if (drawing === runs) node.removeAttribute("aria-busy"); });
    }
  }, 120);
}

/** The data panel is offered on a surface fitted to samples only. */
function offerData(spec) {
  const data = hasData(spec.surface.id);
  $("#toggle-data").hidden = !data;
  if (!data && !$("#data-view").hidden) togglePanel(panels.find((entry) => entry.flag === "data"));
}

/** The lesson shown, if any, wants panel `flag` open. */
function lessonWants(flag) {
  const lesson = state.spec ? null : presets.find((p) => p.id === state.preset);
  return Boolean(lesson?.panels.includes(flag));
}

/**
 * Open or close a panel. In the state (and the link) a panel is `true` when open, `false`
 * when closed against its lesson's wish, and null where it is as its lesson has it (closed,
 * the lesson not asking for it), so a link reopens exactly the panels that were open.
 */
async function setPanel({ flag, node, toggle, panel }, open, save = true) {
  if (node.hidden === !open) return;
  node.hidden = !open;
  toggle.setAttribute("aria-pressed", String(open));
  state[flag] = open ? true : lessonWants(flag) ? false : null;
  if (save) saveState();
  arrangePanels(open ? node : null); // the plots follow their boxes (layout.js)
  if (!open) {
    panel.stop?.();
    await panel.clearArrows?.();
    return;
  }
  node.setAttribute("aria-busy", "true"); // it still holds what it drew when it closed
  await loadPlotly();
  followCursor();
}

/** The ids of the panels open (what an export or an embed shows beside the contour). */
function openPanels() {
  return panels.filter(({ node }) => !node.hidden).map(({ flag }) => flag);
}

function togglePanel(entry) {
  return setPanel(entry, entry.node.hidden);
}

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
  saveState();
  await Promise.all([
    ...allPlots().map((plot) => emphasize(plot.node, on)),
    ...panels.map(({ plot }) => emphasizePanel(plot, on)),
  ]);
  // Only a plot on screen can be resized: the hidden one (3-D or contour) is redrawn when shown.
  for (const { node } of allPlots()) {
    if (node.data && node.offsetParent !== null) plotlyOf(node).Plots.resize(node);
  }
}

/** A lesson's number is its place in the gallery, which is the API's (the course's) order. */
function lessonNumber(id) {
  return presets.findIndex((p) => p.id === id) + 1; // 0: not a lesson
}

/** In lecture mode 1–9 open that lesson; Page Down and Page Up (a presenter's clicker) the
 * next and the previous one, so every lesson is reachable. */
function lectureKeys(event) {
  if (event.target.closest?.("input, textarea, select")) return;
  if (event.key === "l" || event.key === "L") setLecture(!state.lecture);
  else if (event.key === "Escape" && state.lecture) setLecture(false);
  else if (!state.lecture) return;
  let wanted = 0;
  if (/^[1-9]$/.test(event.key)) wanted = Number(event.key);
  else if (event.key === "PageDown") wanted = Math.min(lessonNumber(state.preset) + 1, presets.length);
  else if (event.key === "PageUp") wanted = Math.max(lessonNumber(state.preset) - 1, 1);
  if (!presets[wanted - 1]) return;
  event.preventDefault(); // Page Down must not scroll
  if (presets[wanted - 1].id !== state.preset || state.spec) loadPreset(presets[wanted - 1].id);
}

/** A short message at the top; with `undo`, a button that takes back what it reports. */
function notice(text, undo = null) {
  const box = $("#notice");
  box.replaceChildren(text);
  if (undo) {
    const button = element("button", { type: "button", id: "notice-undo", text: t("undo") });
    button.addEventListener("click", () => { box.hidden = true; undo(); });
    box.append(" ", button);
  }
  box.hidden = !text;
  const shown = box.textContent;
  if (text) setTimeout(() => { if (box.textContent === shown) box.hidden = true; }, undo ? 15000 : 4000);
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
  const preset = state.preset ?? catalog.defaults.preset;
  return state.spec ?? presets.find((p) => p.id === preset)?.spec ?? presets[0].spec;
}

function linkFragment() {
  return writeFragment(state.preset ? { ...state, spec: null } : { ...state, preset: null });
}

/** Show `spec`: the URL and the caption follow it, then it runs live. */
async function run(spec) {
  runs += 1;
  // An open panel shows the last spec's result until it draws this one's: it is busy.
  for (const { node } of panels) if (!node.hidden) node.setAttribute("aria-busy", "true");
  saveState();
  caption();
  offerData(spec);
  await live.run(spec);
  followCursor();
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

/**
 * The sweep view: the form over the current run settings, then the sweep itself; opened
 * with none drawn yet, it runs the form's own, so the view never stands empty.
 */
async function showSweep(sweep) {
  state.view = "sweep";
  applyView();
  const spec = controls.read();
  sweepControls.set(sweep ?? state.sweep, spec);
  const wanted = sweep ?? ($("#sweep-plot").data ? null : sweepControls.read(spec));
  if (wanted) {
    state.sweep = wanted;
    saveState();
    await sweepPanel.run(wanted);
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
  const before = { spec: specOfState(), preset: state.preset, sweep: state.sweep };
  const { surface, optimizer, start, steps, seed } = preset.spec;
  const runSpec = { surface, optimizers: [optimizer], steps }; // the steps each cell took
  if (start) runSpec.start = start;
  if (seed) runSpec.seed = seed;
  state.spec = runSpec;
  state.preset = null;
  controls.set(runSpec);
  $("#sweep-caption").textContent = preset.caption;
  run(runSpec); // the contour view behind the sweep shows these settings too
  showSweep(preset.spec);
  const names = { optimizer: t(`optimizer.${optimizer.id}`), surface: t(`surface.${surface.id}`) };
  notice(t("sweep_lesson_settings", names), () => restoreSettings(before));
}

/** Back to the run settings (and their sweep) a sweep lesson replaced. */
function restoreSettings({ spec, preset, sweep }) {
  state.preset = preset;
  state.spec = preset ? null : spec;
  controls.set(spec, { chosen: !preset });
  $("#sweep-preset").value = "";
  $("#sweep-caption").textContent = "";
  run(spec);
  if (!sweep) sweepControls.set(null, spec); // none was there: the form's default over these settings
  showSweep(sweep ?? sweepControls.read(spec));
}

async function toggle3d() {
  const threeD = state.view !== "3d";
  if (threeD) {
    try {
      await loadPlotly(surface.node.dataset.plotly);
    } catch {
      notice(t("plotly_3d_failed"));
      return;
    }
  }
  state.view = threeD ? "3d" : "contour";
  applyView();
  saveState();
  const plot = threeD ? surface : contour;
  await live.redraw(plot, threeD ? "surface3d" : "contour");
  plotlyOf(plot.node).Plots.resize(plot.node);
}

async function share(kind) {
  const fragment = linkFragment();
  if (fragment.length > limits.link_characters) {
    notice(t("link_too_long"));
    downloadSpec(specOfState());
    return;
  }
  await offer($("#share-dialog"), kind, shareText(kind, window.location.origin, fragment, openPanels()), notice);
}

function loadPreset(id) {
  state.preset = id;
  state.spec = null;
  const spec = specOfState();
  controls.set(spec);
  for (const entry of panels) state[entry.flag] = null; // a new lesson: its own panels
  openLessonPanels();
  run(spec); // offers the data panel where the surface has data, and closes it elsewhere
}

/** The panels the state asks for: a lesson's own, unless the link says otherwise; a lesson
 * opens the panels it is about and closes the others. */
function openLessonPanels() {
  for (const entry of panels) setPanel(entry, state[entry.flag] ?? lessonWants(entry.flag), false);
  saveState();
  // As tabs, the panel the lesson names first is the one shown.
  const lesson = state.spec ? null : presets.find((p) => p.id === state.preset);
  const first = panels.find(({ flag }) => flag === lesson?.panels[0]);
  if (first && !first.node.hidden) arrangePanels(first.node);
}

/** The language menu: another language reloads the page in it, keeping the state. */
function languageMenu() {
  const menu = $("#language");
  menu.replaceChildren(...catalog.languages.map((lang) => new Option(t(`language_${lang}`), lang)));
  menu.value = catalog.lang;
  menu.addEventListener("change", () => {
    const url = new URL(window.location.href); // its fragment holds the state
    url.searchParams.set("lang", menu.value);
    window.location.assign(url);
  });
}

async function main() {
  translatePage();
  languageMenu();
  const { surfaces, optimizers } = catalog;
  limits = catalog.limits;
  sweepPresets = catalog.sweep_presets;
  presets = catalog.presets;
  performance.mark("gradtrail:catalog");
  controls = createControls($("#spec-form"), {
    surfaces, optimizers, limits: catalog.limits, defaults: catalog.defaults, hasData, onChange,
    onInvalid: () => live.invalid(),
  });
  live = createLiveRun(
    { contour, convergence, surface, summary, playback, inspector, controls, planeInfo },
    { view: { visiblePlots, lecture: () => state.lecture }, notice, catalog },
  );
  createKeyboardStart($("#contour-plot"), {
    startOf: () => live.pointAt(0, 0)?.point ?? null, // the runs' first point
    onPick: (x, y) => controls.setStart(x, y),
    say: $("#cross-position"),
  });
  sweepControls = createSweepControls($("#sweep-form"), {
    optimizers, hasData, limits: catalog.limits, defaults: catalog.defaults, sweepAxes: catalog.sweep,
  });
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
      plotlyOf(contour.node).Plots.resize(contour.node);
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
  $("#export").addEventListener("click", async () => {
    const failure = await downloadExport(specOfState(), state.preset, openPanels());
    if (failure) notice(t("server_error", { detail: failure }));
  });
  $("#embed").addEventListener("click", () => share("embed"));
  const shown = () => (state.view === "3d" ? surface.node : contour.node);
  $("#download-png").addEventListener("click", () => downloadImage(shown(), "png"));
  $("#download-svg").addEventListener("click", () => downloadImage(shown(), "svg"));
  for (const format of ["csv", "json"]) {
    $(`#download-${format}`).addEventListener("click", async () => {
      const failure = await downloadNumbers(withState(specOfState(), catalog), format);
      if (failure) notice(t("server_error", { detail: failure }));
    });
  }
  $("#anatomy-run").addEventListener("change", () => {
    inspector.draw(playback.step);
    followCursor();
  });
  for (const entry of panels) {
    entry.toggle.addEventListener("click", () => togglePanel(entry));
  }
  $("#backprop-sample").addEventListener("change", () => followCursor());
  $("#backprop-tree").addEventListener("change", () => followCursor());
  backprop.onStep(() => followCursor());
  $("#lecture").addEventListener("click", () => setLecture(!state.lecture));
  document.addEventListener("keydown", lectureKeys);
  // The page writes its state with replaceState, which fires no hashchange: this one is a
  // link pasted or typed into the address bar, so open that view as a load would.
  window.addEventListener("hashchange", () => window.location.reload());
  if (state.lecture) await setLecture(true);
  if (!state.spec && !presets.some((p) => p.id === state.preset)) state.preset = catalog.defaults.preset;
  const spec = specOfState();
  controls.set(spec, { chosen: Boolean(state.spec) }); // a link's own settings, not a lesson's
  openLessonPanels();
  if (state.view === "3d") {
    state.view = "contour";
    await loadPlotly();
    await toggle3d();
  }
  const running = run(spec);
  if (state.view === "sweep") {
    await loadPlotly();
    await showSweep(state.sweep);
  }
  await running;
}

main();
