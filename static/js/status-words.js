// How a run ended, in the page's words: its status, and where it converged, what the
// engine found there from the curvature (a minimum, or a saddle or flat region whose
// gradient is zero too: "converged" alone would call those a minimum).

import { t } from "./messages.js";

/** The words for a run's (or a sweep cell's) `status` and `stationary` from the API. */
export function statusWords(status, stationary) {
  return stationary ? t(`stationary.${stationary}`) : t(status);
}
