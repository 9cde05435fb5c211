// Small builders for form elements, shared by the settings and sweep panels.

/**
 * A `tag` element: `text` sets its text, a non-string value sets the property of
 * that name (`checked`, `disabled`…), a string sets the attribute; null, undefined
 * and false leave it out.
 */
export function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

/** A labelled control; `text` is a string or an element (a name with its torch id). */
export function labelled(text, control, attributes = {}) {
  const name = typeof text === "string" ? element("span", { text }) : text;
  return element("label", { class: "field", ...attributes }, [name, control]);
}

/** A labelled number input; `loc` ties it to a 422's field path, `role` tags the input. */
export function numberField(labelText, { value, placeholder, min, max, step = "any", title, loc, name, role }) {
  const input = element("input", {
    type: "number", step, name, value: value ?? "", placeholder: placeholder ?? "",
    min: min ?? undefined, max: max ?? undefined, "data-role": role,
  });
  return labelled(labelText, input, { "data-loc": loc, title });
}

/** A number as the panels show it: four significant digits, exponents when far from 1. */
export function formatNumber(v) {
  if (v === undefined || v === null) return "—";
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toPrecision(4);
}

/** An input's number, or null when it is empty. */
export const readNumber = (input) => (input.value.trim() === "" ? null : Number(input.value));
