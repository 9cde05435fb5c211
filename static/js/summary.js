// The summary table: how each run ended.
import { t } from "./messages.js";
import { statusWords } from "./status-words.js";

const number = (value) =>
  value === null || value === undefined ? "—" : Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3)
    ? value.toExponential(2)
    : value.toPrecision(4);

export function createSummary(table) {
  const body = table.querySelector("tbody");
  let labels = [];
  let colours = [];

  function row(index, cells) {
    const tr = document.createElement("tr");
    const name = document.createElement("td");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colours[index] ?? "#888";
    name.append(swatch, labels[index]);
    tr.append(name);
    for (const [text, className] of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      if (className) td.className = className;
      tr.append(td);
    }
    return tr;
  }

  return {
    start(meta, runColours) {
      labels = meta.runs.map((run) => run.label);
      colours = runColours;
      body.replaceChildren(...labels.map((_, i) => row(i, [[t("running"), "status"], ["", ""], ["", ""], ["", ""]])));
    },
    done(summaries) {
      body.replaceChildren(
        ...summaries.map((s, i) =>
          row(i, [
            [statusWords(s.status, s.stationary), ["status", s.status, s.stationary].filter(Boolean).join(" ")],
            [String(s.steps_taken), "num"],
            [number(s.final_loss), "num"],
            [number(s.distance_to_min), "num"],
          ]),
        ),
      );
    },
  };
}
