// The live run: one stream whose meta brings the figures, frames drawn once per paint.
import { ApiError, postJSON, streamRun } from "./api.js";
import { messageOf } from "./field-errors.js";
import { t, withLanguage } from "./messages.js";
import { loadPlotly } from "./plotly-loader.js";
import { emphasize, runTraceIndices } from "./traces.js";

/**
 * The request for `spec`: the optimizer state too, when the run is small enough
 * (runs × steps within the catalogue's `limits.record_steps`).
 */
export function withState(spec, { limits, defaults, surfaces }) {
  // A surface of many parameters has no 2-D optimizer state: its vectors are its record.
  if (surfaces.some((s) => s.id === spec.surface.id && s.many_parameters)) return spec;
  const steps = (spec.steps ?? defaults.steps) * spec.optimizers.length;
  return steps <= limits.record_steps ? { ...spec, record: ["state"] } : spec;
}

/**
 * One run at a time over the page's plots. `view.visiblePlots()` names the plots
 * that follow the stream, `view.lecture()` whether they are drawn large; a new
 * run aborts the one before it.
 */
export function createLiveRun(
  { contour, convergence, surface, summary, playback, inspector, controls, planeInfo },
  { view, notice, catalog },
) {
  let current = null; // { controller, spec, figures, runs, drawn, ready, meta, done, colours, final }
  let firstPointMarked = false;

  /**
   * Run `spec`: ask for the figures and the stream at once; frames that arrive
   * before the figures are drawn wait in `current.runs` and are drawn right after.
   */
  async function run(spec) {
    current?.controller.abort();
    const controller = new AbortController();
    let metaArrived;
    const meta = new Promise((resolve) => { metaArrived = resolve; });
    current = {
      controller, spec, figures: null, runs: null, drawn: null, ready: false, meta: null, done: null, final: null,
    };
    controls.clearErrors();
    playback.streaming();
    document.body.dataset.run = "streaming";
    try {
      // One request: its meta event carries the figures to draw before the first frame.
      const streaming = streamRun(withState(spec, catalog), handlers(controller, metaArrived), controller.signal);
      streaming.catch(() => {}); // its failure is reported once, below
      await loadPlotly(); // after the request went out: the server computes while it starts up
      const { figures } = await Promise.race([
        meta,
        // A stream that fails before its meta rejects here; one that ends without it, too.
        streaming.then(() => current.meta ?? Promise.reject(new Error("the stream sent no meta"))),
      ]);
      if (controller.signal.aborted) return;
      current.figures = figures;
      // Frames that came while plotly.js started up are drawn with the figures, in one pass:
      // a copy, since frames that come while the plots draw are drawn after them.
      const arrived = current.runs.some((run) => run.x.length)
        ? current.runs.map(({ x, y, loss, off_plane: off }) => ({
          x: x.slice(), y: y.slice(), loss: loss.slice(), off_plane: off?.slice(),
        }))
        : null;
      const drawnWithFigures = arrived?.map((run) => Math.max(1, run.x.length));
      // The contour first, then a paint: it shows while the other plots are drawn.
      await contour.reset(figures.contour, arrived);
      if (arrived) markFirstPoint();
      await afterPaint();
      if (controller.signal.aborted) return;
      await Promise.all([
        convergence.reset(figures.convergence, arrived),
        view.visiblePlots().includes(surface) ? surface.reset(figures.surface3d, arrived) : null,
      ]);
      if (arrived) current.drawn = drawnWithFigures;
      if (controller.signal.aborted) return;
      if (view.lecture()) {
        await Promise.all([contour, surface, convergence].map((plot) => emphasize(plot.node, true)));
      }
      performance.mark("gradtrail:figures-drawn");
      current.colours = runTraceIndices(contour.node).map((i) => contour.node.data[i].line.color);
      controls.colour(current.colours);
      current.ready = true;
      summary.start(current.meta, current.colours);
      if (current.meta.surface.plane) {
        planeInfo.start(current.meta, current.colours);
        planeInfo.at(playback.step, current.runs);
      } else planeInfo.hide();
      scheduleDraw(controller);
      await streaming;
    } catch (error) {
      if (controller.signal.aborted || error.name === "AbortError") return;
      controller.abort(); // stop the stream too
      document.body.dataset.run = "error";
      if (error instanceof ApiError && error.status === 422) controls.showErrors(error.detail);
      else notice(t("unreachable_error", { detail: error.message }));
    }
  }

  /** Resolves once the browser has painted what is drawn so far. */
  function afterPaint() {
    return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  }

  function markFirstPoint() {
    if (firstPointMarked) return;
    firstPointMarked = true;
    performance.mark("gradtrail:first-point");
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
        current.drawn[i] = Math.max(first, run.x.length); // the figures hold the start point already
        const off = run.off_plane?.slice(first);
        return { x: run.x.slice(first), y: run.y.slice(first), loss: run.loss.slice(first), off_plane: off, first };
      });
      if (points.some((p) => p.x.length)) {
        await Promise.all(view.visiblePlots().map((plot) => plot.extend(points)));
        planeInfo.at(playback.step, current.runs);
        markFirstPoint();
      }
      finishIfComplete(controller);
    });
  }

  /**
   * A slice's runs are done: its paths move to the final plane the `done` event states
   * (their coordinates and distances on it, as the server projected them), and the contour
   * to the server's loss on that plane.
   */
  async function toFinalPlane(done) {
    const { plane, domain } = done.surface;
    const asked = current.spec.surface;
    const stated = { ...asked, plane: { ...asked.plane, origin: plane.origin, directions: plane.directions } };
    current.final = { surface: stated, domain, plane };
    current.runs.forEach((run, i) => {
      const { x, y, off_plane: off } = done.runs[i];
      Object.assign(run, { x, y, off_plane: off });
    });
    await showFinalPlane();
  }

  /** The plots on the final plane, and what the page says of it. */
  async function showFinalPlane() {
    const { surface: stated, domain, plane } = current.final;
    await Promise.all(view.visiblePlots().map((plot) => {
      if (plot === contour) return contour.toPlane(stated, domain, current.runs, playback.step);
      if (plot === surface) return redraw(surface, "surface3d");
      return plot.show(current.runs, playback.step);
    }));
    planeInfo.final(plane);
    planeInfo.at(playback.step, current.runs);
  }

  /** Once the stream is done and every point is drawn: the summary, replay, and the "done" flag. */
  async function finishIfComplete(controller) {
    if (!current.done || controller.signal.aborted) return;
    if (current.runs.some((run, i) => current.drawn[i] < run.x.length)) {
      scheduleDraw(controller);
      return;
    }
    if (current.finishing) return; // the done event and the last paint both come here
    current.finishing = true;
    if (current.done.surface?.plane) {
      try {
        await toFinalPlane(current.done);
      } catch (error) {
        if (controller.signal.aborted || error.name === "AbortError") return;
        notice(t("server_error", { detail: messageOf(error.detail ?? error.message) }));
      }
      if (controller.signal.aborted) return;
    }
    summary.done(current.done.runs);
    playback.finished();
    inspector.reset(current.meta, current.runs, current.colours);
    inspector.draw(playback.step).then(() => { document.body.dataset.run = "done"; });
  }

  function handlers(controller, metaArrived) {
    return {
      meta(meta) {
        current.meta = meta;
        const sliced = Boolean(meta.surface.plane); // points carry their distance from the plane
        current.runs = meta.runs.map(() => ({
          x: [], y: [], loss: [], grad_norm: [], state: {}, ...(sliced ? { off_plane: [] } : {}),
        }));
        current.drawn = meta.runs.map(() => 1); // the figures already hold each start point
        metaArrived(meta);
      },
      frame(frame) {
        if (controller.signal.aborted) return;
        if (frame.step === 0 && frame.runs[0]?.x.length) controls.startedAt(frame.runs[0].x[0], frame.runs[0].y[0]);
        frame.runs.forEach((chunk, i) => {
          const target = current.runs[i];
          for (const key of ["x", "y", "loss", "grad_norm"]) target[key].push(...chunk[key]);
          if (target.off_plane) target.off_plane.push(...(chunk.off_plane ?? []));
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

  /** Every visible plot (and the step anatomy, once done) at `step` of the replay. */
  function showStep(step) {
    if (!current?.runs) return null;
    planeInfo.at(step, current.runs);
    return Promise.all([
      ...view.visiblePlots().map((plot) => plot.show(current.runs, step)),
      current.done ? inspector.draw(step) : null,
    ]);
  }

  /** The start figures of the current spec on its final plane (asked for once). */
  function finalFigures() {
    const { surface: stated, domain } = current.final;
    current.final.figures ??= postJSON(withLanguage("/api/figures"), { ...current.spec, surface: { ...stated, domain } });
    return current.final.figures;
  }

  /** Draw `plot` afresh from the current run's figure (a view switched to it); a slice,
   * once its runs are done, from the figures of its final plane. */
  async function redraw(plot, figure) {
    if (!current?.figures) return;
    const figures = current.final ? await finalFigures() : current.figures;
    await plot.reset(figures[figure]);
    if (plot === contour && current.final) contour.keepPlane(current.final.surface.plane);
    if (view.lecture()) await emphasize(plot.node, true);
    if (current.runs) plot.show(current.runs, playback.step);
  }

  /** Run `index` at `step` of the replay: its point, the step (clamped to its path) and
   * whether it is the path's last point so far; null before a run. */
  function pointAt(step, index) {
    const run = current?.runs?.[index];
    if (!run?.x.length) return null;
    const k = Math.min(step, run.x.length - 1);
    return { point: [run.x[k], run.y[k]], step: k, final: k === run.x.length - 1 };
  }

  /** Each run's recorded optimizer state so far (`{name: values}` per run), or null. */
  function recordedState() {
    return current?.runs?.map((run) => run.state) ?? null;
  }

  /** The settings cannot run (a CSV the page cannot read): stop, and mark what shows stale. */
  function invalid() {
    current?.controller.abort();
    document.body.dataset.run = "error";
  }

  return { run, showStep, redraw, pointAt, recordedState, invalid };
}
