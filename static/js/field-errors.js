// The server's 422 messages, shown next to the fields they name.
import { element } from "./dom.js";

/** A person's reading of a 422 detail (pydantic's "Value error, " prefix removed). */
export function messageOf(detail) {
  if (!Array.isArray(detail)) return String(detail);
  return detail.map((item) => String(item.msg).replace(/^Value error, /, "")).join("; ");
}

/** Remove every message `showFieldErrors` put in `form`. */
export function clearFieldErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const node of form.querySelectorAll(".invalid")) node.classList.remove("invalid");
  const general = form.querySelector("#form-error");
  general.hidden = true;
  general.textContent = "";
}

/**
 * Show each 422 item next to the field its `loc` names: the element with the longest
 * matching `data-loc`, or the form's general message box when none matches.
 */
export function showFieldErrors(form, detail) {
  const items = Array.isArray(detail) ? detail : [{ loc: [], msg: String(detail) }];
  for (const item of items) {
    const path = item.loc.filter((part) => part !== "body").join(".");
    let target = null;
    for (const node of form.querySelectorAll("[data-loc]")) {
      const loc = node.dataset.loc;
      if ((path === loc || path.startsWith(`${loc}.`)) && (!target || loc.length > target.dataset.loc.length)) {
        target = node;
      }
    }
    const text = messageOf([item]);
    // A hyperparameter's message starts with its name: point at that input alone.
    const named = target && [...target.querySelectorAll("[data-param]")].find(
      (input) => text.startsWith(`${input.dataset.param} `) || text.includes(`'${input.dataset.param}'`),
    );
    if (named) target = named.closest(".field");
    if (target) {
      target.classList.add("invalid");
      target.append(element("p", { class: "field-error", role: "alert", text }));
    } else {
      const general = form.querySelector("#form-error");
      general.hidden = false;
      general.textContent = text;
    }
  }
}
