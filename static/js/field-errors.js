// The server's 422 messages, shown next to the fields they name. The API's `msg` is
// English (it is for programs); in another language the page says the error's kind
// (`type`, with its bounds in `ctx`) from the catalogue instead.
import { element } from "./dom.js";
import { currentLanguage, hasText, t } from "./messages.js";

/** One 422 item as a person reads it, in the page's language. */
function itemText(item) {
  if (currentLanguage() === "en") return String(item.msg).replace(/^Value error, /, "");
  const key = `error.${item.type}`;
  return t(hasText(key) ? key : "error.value_error", item.ctx ?? {});
}

/** A person's reading of a 422 detail. */
export function messageOf(detail) {
  if (!Array.isArray(detail)) return String(detail);
  return detail.map(itemText).join("; ");
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
    const msg = String(item.msg ?? "");
    const named = target && [...target.querySelectorAll("[data-param]")].find(
      (input) => item.ctx?.name === input.dataset.param || msg.startsWith(`${input.dataset.param} `)
        || msg.includes(`'${input.dataset.param}'`),
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
