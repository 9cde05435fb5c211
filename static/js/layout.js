// The page's boxes and the plots in them. Every plot follows its box: a ResizeObserver
// resizes it whenever its box changes (a panel opened or closed, a tab picked, the window
// resized, the language's longer labels), so no plot is drawn for a box it no longer has.
// The open panels stand side by side under the contour while each keeps a readable width;
// when they do not fit they become tabs (one shown, the contour keeps its share), and in
// the one-column layout of a narrow screen they stack in the page's scroll.
import { plotlyOf } from "./plotly-loader.js";

const NARROW = "(max-width: 899px)"; // one column: the contour first, the settings below

/**
 * Resize each plot among `nodes` to its box whenever that box changes. While any resize is
 * still drawing, `body[data-resizing]` says so (a test waits for it to go).
 */
export function followBoxes(nodes) {
  const changed = new Set();
  let frame = 0;
  let pending = 0;
  function flush() {
    frame = 0;
    for (const node of changed) {
      // A hidden plot keeps its size until shown: its box changes then, and it follows.
      if (node.data && node.offsetParent !== null && node.clientWidth && node.clientHeight) {
        const resized = plotlyOf(node)?.Plots.resize(node);
        if (!resized) continue;
        pending += 1;
        document.body.dataset.resizing = "";
        resized.catch(() => {}).finally(() => {
          pending -= 1;
          if (!pending && !frame) delete document.body.dataset.resizing;
        });
      }
    }
    changed.clear();
    if (!pending) delete document.body.dataset.resizing;
  }
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) changed.add(entry.target);
    document.body.dataset.resizing = "";
    frame ||= requestAnimationFrame(flush);
  });
  for (const node of nodes) observer.observe(node);
}

/** The width a panel needs beside another, in px: the row's `--panel-min-width` (in rem). */
function panelMinWidth(row) {
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
  return parseFloat(getComputedStyle(row).getPropertyValue("--panel-min-width")) * rem;
}

/**
 * The panel row `row` (its sections are the panels, `tabs` its tab list): side by side when
 * every open panel gets its readable width, else tabs. Returns `arrange()`, called whenever a
 * panel opens or closes; `opened` is the one just opened, which takes the tab.
 */
export function createPanelRow(row, tabs) {
  const sections = [...row.querySelectorAll(":scope > section")];
  let active = null;

  function pick(section) {
    active = section;
    for (const other of sections) other.classList.toggle("inactive", other !== section);
    for (const tab of tabs.children) {
      const selected = tab.dataset.panel === section.id;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
  }

  function tabFor(section) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.dataset.panel = section.id;
    tab.setAttribute("aria-controls", section.id);
    // The panel's own heading, already in the page's language.
    tab.textContent = section.querySelector("strong").textContent;
    tab.addEventListener("click", () => pick(section));
    return tab;
  }

  function arrange(opened = null) {
    const open = sections.filter((section) => !section.hidden);
    if (opened && !opened.hidden) active = opened;
    if (!open.includes(active)) active = open.at(-1) ?? null;
    const tabbed = open.length > 1 && !window.matchMedia(NARROW).matches
      && row.clientWidth < open.length * panelMinWidth(row);
    row.classList.toggle("tabbed", tabbed);
    tabs.hidden = !tabbed;
    for (const section of sections) {
      if (tabbed) section.setAttribute("role", "tabpanel");
      else section.removeAttribute("role");
    }
    if (!tabbed) {
      for (const section of sections) section.classList.remove("inactive");
      return;
    }
    tabs.replaceChildren(...open.map(tabFor));
    pick(active);
  }

  tabs.addEventListener("keydown", (event) => {
    const shown = [...tabs.children];
    const at = shown.findIndex((tab) => tab.dataset.panel === active?.id);
    const move = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!move || at < 0) return;
    const next = shown[(at + move + shown.length) % shown.length];
    pick(sections.find((section) => section.id === next.dataset.panel));
    next.focus();
  });
  new ResizeObserver(() => arrange()).observe(row);
  window.matchMedia(NARROW).addEventListener("change", () => arrange());
  return arrange;
}
