// The start point from the keyboard: the contour plot takes the focus; the arrow keys move a
// cross over it (a tenth of a step with Alt, five steps with Shift), Enter starts the runs
// there, as a click does. The cross is an element over the plot, placed through the plot's
// own axes (positions only: what a point means is the server's).
import { t } from "./messages.js";

const STEPS = 40; // a key moves the cross this share of the axis's range

/** Keyboard start on the contour plot `node`: `startOf()` is the point the cross begins at,
 * `onPick(x, y)` starts there; `say` is a live region for where the cross is. */
export function createKeyboardStart(node, { startOf, onPick, say }) {
  const cross = document.createElement("div");
  cross.className = "start-cross";
  cross.hidden = true;
  cross.setAttribute("aria-hidden", "true");
  node.parentElement.append(cross);
  node.tabIndex = 0;
  node.setAttribute("role", "application");
  node.setAttribute("aria-label", t("keyboard_start"));
  let at = null;

  const axes = () => node._fullLayout && { x: node._fullLayout.xaxis, y: node._fullLayout.yaxis };

  function place() {
    const axis = axes();
    if (!at || !axis) return;
    const size = node._fullLayout._size;
    const box = node.getBoundingClientRect();
    const parent = node.parentElement.getBoundingClientRect();
    cross.style.left = `${box.left - parent.left + size.l + axis.x.l2p(at[0])}px`;
    cross.style.top = `${box.top - parent.top + size.t + axis.y.l2p(at[1])}px`;
    cross.hidden = false;
    node.dataset.cross = at.map((v) => Number(v.toPrecision(4))).join(",");
  }

  function move(dx, dy, scale) {
    const axis = axes();
    if (!axis) return;
    const [x0, x1] = axis.x.range;
    const [y0, y1] = axis.y.range;
    at ??= startOf() ?? [(x0 + x1) / 2, (y0 + y1) / 2];
    const clamp = (v, a, b) => Math.min(Math.max(v, Math.min(a, b)), Math.max(a, b));
    at = [
      clamp(at[0] + (dx * scale * (x1 - x0)) / STEPS, x0, x1),
      clamp(at[1] + (dy * scale * (y1 - y0)) / STEPS, y0, y1),
    ];
    place();
    say.textContent = t("keyboard_start_at", { x: at[0].toPrecision(4), y: at[1].toPrecision(4) });
  }

  node.addEventListener("keydown", (event) => {
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (arrows[event.key]) {
      event.preventDefault(); // the page must not scroll
      const scale = event.shiftKey ? 5 : event.altKey ? 0.1 : 1;
      move(...arrows[event.key], scale);
    } else if (event.key === "Enter" && at) {
      event.preventDefault();
      onPick(at[0], at[1]);
    }
  });
  node.addEventListener("focus", () => {
    at = startOf();
    move(0, 0, 0);
  });
  node.addEventListener("blur", () => { cross.hidden = true; });
  new ResizeObserver(() => { if (!cross.hidden) place(); }).observe(node);
}
