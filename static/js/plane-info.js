// On a slice of many parameters (a network): which plane the contour shows, and how far
// each run's point at the cursor lies off it. Every number is the server's.
import { formatNumber } from "./dom.js";
import { currentLanguage, t } from "./messages.js";

/** The share the plane holds, as a percentage with one decimal, in the page's language. */
const percent = (share) =>
  new Intl.NumberFormat(currentLanguage(), {
    style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1,
  }).format(share);

export function createPlaneInfo({ box, note, offPlane }) {
  let labels = [];
  let colours = [];

  /** One run's distance: its colour, its name and the number. */
  function entry(index, value) {
    const item = document.createElement("span");
    item.className = "off-plane-run";
    item.dataset.run = String(index);
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colours[index] ?? "#888";
    const number = document.createElement("output");
    number.textContent = formatNumber(value); // as the page writes every number
    if (value !== undefined) number.dataset.value = String(value);
    item.append(swatch, `${labels[index]} `, number);
    return item;
  }

  return {
    /** A run on a 2-D surface: nothing to say. */
    hide() {
      box.hidden = true;
    },
    /** A slice's run begins: drawn on the provisional plane. */
    start(meta, runColours) {
      labels = meta.runs.map((run) => run.label);
      colours = runColours ?? [];
      note.dataset.plane = "provisional";
      note.textContent = t("plane.provisional");
      offPlane.replaceChildren();
      box.hidden = false;
    },
    /** The runs are done: the contour shows `plane` (the API's `surface.plane`). */
    final(plane) {
      note.dataset.plane = "final";
      const kind = t(`plane.kind.${plane.kind}`); // each kind engine/plane.py makes has its text
      note.textContent = t("plane.final", { kind, share: percent(plane.explained) });
    },
    /** Each run's distance from the plane at `step` (its last point if it stopped before). */
    at(step, runs) {
      if (box.hidden || !runs?.every((run) => run.off_plane)) return;
      const label = document.createElement("span");
      label.className = "off-plane-step";
      label.textContent = t("off_plane.at", { step });
      const values = runs.map((run) => run.off_plane[Math.min(step, run.off_plane.length - 1)]);
      offPlane.replaceChildren(label, ...values.map((value, i) => entry(i, value)));
      offPlane.dataset.step = String(step);
    },
  };
}
