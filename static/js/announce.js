// A line for screen readers (an aria-live region): when the runs end, which optimizer,
// how it ended, after how many steps, at what loss; the texts from the catalogue.
import { t } from "./messages.js";
import { statusWords } from "./status-words.js";

const number = (value) => (value === null || value === undefined ? "—" : Number(value).toPrecision(4));

/** `node` (aria-live) announces each run's end; `start(meta)` and `done(summaries)` are
 * the summary table's two calls, so the page hands both the same news. */
export function createAnnouncer(node) {
  let labels = [];
  return {
    start(meta) {
      labels = meta.runs.map((run) => run.label);
    },
    done(summaries) {
      node.textContent = summaries.map((s, i) => t("run_announcement", {
        label: labels[i] ?? "", status: statusWords(s.status, s.stationary), steps: s.steps_taken, loss: number(s.final_loss),
      })).join(" ");
    },
  };
}
