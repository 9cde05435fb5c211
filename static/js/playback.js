// Playback: the step shown on every plot, driven by the stream, the buttons,
// the scrubber and the keyboard (space plays or pauses, arrows step).
import { t } from "./messages.js";

const TICK_MS = 33;
/**
 * `replaySeconds`: how long a whole replay takes at 1× speed, whatever the number of steps
 * (the catalogue's, as the exported player's and a video's).
 */
export function createPlayback(elements, { onShow, replaySeconds }) {
  const { play, back, forward, scrubber, label, speed } = elements;
  let step = 0;
  let last = 0;
  let live = false;
  let timer = null;

  function render() {
    scrubber.max = String(last);
    scrubber.value = String(step);
    label.textContent = `${step} / ${last}`;
    play.textContent = timer ? t("pause") : t("play");
  }

  let drawing = null;

  function show(next) {
    step = Math.max(0, Math.min(last, next));
    render();
    drawing = Promise.resolve(onShow(step)).finally(() => { drawing = null; });
    return drawing;
  }

  function pause() {
    clearInterval(timer);
    timer = null;
    render();
  }

  function start() {
    if (live || last === 0) return;
    if (step >= last) show(0);
    // Position follows the clock, so a slow redraw skips steps instead of slowing down.
    const from = step;
    const began = performance.now();
    const duration = (replaySeconds * 1000 * (last - from)) / last / Number(speed.value);
    timer = setInterval(() => {
      if (drawing) return; // the last picture is still being drawn
      const progress = Math.min(1, (performance.now() - began) / duration);
      show(Math.max(step, Math.floor(from + progress * (last - from))));
      if (step >= last) pause();
    }, TICK_MS);
    render();
  }

  const toggle = () => (timer ? pause() : start());
  const stepBy = (delta) => {
    if (live) return;
    pause();
    show(step + delta);
  };

  play.addEventListener("click", toggle);
  back.addEventListener("click", () => stepBy(-1));
  forward.addEventListener("click", () => stepBy(1));
  scrubber.addEventListener("input", () => {
    const wanted = Number(scrubber.value); // read before pause() redraws the scrubber
    if (live) return;
    pause();
    show(wanted);
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.closest?.("input, textarea, select, [contenteditable]")) return;
    if (event.key === " ") {
      event.preventDefault();
      toggle();
    } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      const size = event.shiftKey ? 10 : 1;
      stepBy(event.key === "ArrowRight" ? size : -size);
    }
  });

  return {
    /** A new run began streaming: follow its newest step. */
    streaming() {
      pause();
      live = true;
      step = last = 0;
      render();
    },
    /** The stream reached `newest` steps. */
    advanced(newest) {
      last = step = newest;
      render();
    },
    /** The run is complete: replay is possible now. */
    finished() {
      live = false;
      render();
    },
    /** Move the cursor to `target` (a click on the loss plot). */
    jump(target) {
      if (live) return;
      pause();
      show(target);
    },
    get step() {
      return step;
    },
  };
}
