// The optimizer entries of the settings panel: one card each with the optimizer,
// a label, every hyperparameter (default and bounds from the catalogue), an lr
// schedule and, on data surfaces, the minibatch size.
import { element, numberField, readNumber } from "./dom.js";
import { t } from "./messages.js";

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** A hyperparameter's name as a person reads it: the learner's name, torch's id beside it. */
function paramName(p) {
  return element("span", { class: "param-name" }, [
    `${p.label} `, element("code", { text: p.name }),
  ]);
}

/**
 * The field of hyperparameter `p` with its help: an ⓘ button (a button, so keyboard and
 * touch reach it, not hover alone) shows the catalogue's sentence under the field.
 */
function withHelp(p, field, index) {
  const id = `help-${index}-${p.name}`;
  const help = element("p", { class: "param-help", id, text: p.help, hidden: true });
  const toggle = element("button", {
    type: "button", class: "help-toggle", text: "ⓘ", "aria-expanded": "false", "aria-controls": id,
    "aria-label": t("hp_help_for", { name: `${p.label} (${p.name})` }),
  });
  toggle.addEventListener("click", () => {
    help.hidden = !help.hidden;
    toggle.setAttribute("aria-expanded", String(!help.hidden));
  });
  for (const input of field.querySelectorAll("input")) input.setAttribute("aria-describedby", id);
  return element("div", { class: "param", "data-param-field": p.name }, [field, toggle, help]);
}

/** Inputs for each hyperparameter of `optimizer`: a checkbox, a pair, or a number. */
function paramInputs(optimizer, values, index) {
  return optimizer.params.map((p) => {
    const value = values[p.name] ?? p.default;
    const loc = `optimizers.${index}.params`;
    let field;
    if (p.kind === "bool") {
      field = element("label", { class: "field check", "data-loc": loc }, [
        element("input", { type: "checkbox", "data-param": p.name, checked: Boolean(value) }),
        paramName(p),
      ]);
    } else if (p.kind === "pair") {
      field = element("label", { class: "field pair", "data-loc": loc }, [
        paramName(p),
        ...[0, 1].map((k) =>
          element("input", {
            type: "number", step: "any", "data-param": p.name, "data-part": String(k),
            value: value[k], min: p.min ?? undefined, max: p.max ?? undefined,
            "aria-label": `${p.label} (${p.name}) ${k + 1}`,
          }),
        ),
      ]);
    } else {
      field = numberField(paramName(p), { value, min: p.min, max: p.max, loc });
      field.querySelector("input").dataset.param = p.name;
    }
    return withHelp(p, field, index);
  });
}

function scheduleFields(schedule, index, schedules) {
  const kind = element("select", { "data-role": "schedule-kind" }, [
    element("option", { value: "", text: t("schedule_none"), selected: !schedule }),
    ...Object.keys(schedules).map((name) => element("option", { value: name, text: t(`schedule.${name}`), selected: schedule?.kind === name })),
  ]);
  const params = schedule
    ? Object.entries(schedules[schedule.kind]).map(([name, fallback]) => {
      const field = numberField(name, { value: schedule[name] ?? fallback, loc: `optimizers.${index}.schedule` });
      field.querySelector("input").dataset.schedule = name;
      return field;
    })
    : [];
  return element("div", { class: "schedule", "data-loc": `optimizers.${index}.schedule` }, [
    element("label", { class: "field" }, [element("span", { text: t("schedule") }), kind]),
    element("div", { class: "param-grid" }, params),
  ]);
}

function readSchedule(item, schedules) {
  const kind = item.querySelector('[data-role="schedule-kind"]').value;
  if (!kind) return null;
  const schedule = { kind };
  for (const input of item.querySelectorAll("[data-schedule]")) {
    const value = readNumber(input);
    if (value !== null && value !== schedules[kind][input.dataset.schedule]) schedule[input.dataset.schedule] = value;
  }
  return schedule;
}

/**
 * The entries in `list` (an `<ol>`), over the catalogue's `optimizers`; `schedules`
 * (each kind's torch parameters and defaults) and `labelLength` come from it too.
 */
export function createOptimizerList(list, { optimizers, schedules, labelLength }) {
  const byId = Object.fromEntries(optimizers.map((o) => [o.id, o]));

  function entryItem(entry, index, hasData) {
    const optimizer = byId[entry.id];
    const select = element("select", { "data-role": "optimizer", "aria-label": t("optimizer_select", { n: index + 1 }) },
      optimizers.map((o) => element("option", { value: o.id, text: o.name, selected: o.id === entry.id })));
    const item = element("li", {
      class: "optimizer", "data-index": String(index), "data-optimizer": entry.id, "data-loc": `optimizers.${index}`,
    }, [
      element("div", { class: "optimizer-head" }, [
        element("span", { class: "swatch", "data-run": String(index) }),
        select,
        element("button", { type: "button", "data-action": "duplicate", text: t("duplicate") }),
        element("button", { type: "button", "data-action": "remove", text: t("remove"), disabled: false }),
      ]),
      element("label", { class: "field", "data-loc": `optimizers.${index}.label` }, [
        element("span", { text: t("label") }),
        element("input", { type: "text", "data-role": "label", value: entry.label ?? "", maxlength: String(labelLength), placeholder: optimizer.name }),
      ]),
      element("p", { class: "param-heading", text: t("hyperparameters") }),
      element("div", { class: "param-grid", "data-loc": `optimizers.${index}.params` }, paramInputs(optimizer, entry.params ?? {}, index)),
    ]);
    item.append(scheduleFields(entry.schedule, index, schedules));
    if (hasData) {
      item.append(numberField(t("batch_size"), {
        value: entry.batch_size ?? "", min: 1, step: "1", title: t("batch_help"),
        loc: `optimizers.${index}.batch_size`, role: "batch",
      }));
    }
    return item;
  }

  /**
   * An entry as the spec says it: only the hyperparameters that differ from the default.
   * Read as the optimizer the card shows fields for, even while its menu shows another.
   */
  function readEntry(item) {
    const id = item.dataset.optimizer;
    const params = {};
    for (const p of byId[id].params) {
      const inputs = [...item.querySelectorAll(`[data-param="${p.name}"]`)];
      let value;
      if (p.kind === "bool") value = inputs[0].checked;
      else if (p.kind === "pair") value = inputs.map(readNumber);
      else value = readNumber(inputs[0]);
      if (value === null || (Array.isArray(value) && value.includes(null))) continue;
      if (!same(value, p.default)) params[p.name] = value;
    }
    const entry = { id, params };
    const label = item.querySelector('[data-role="label"]').value.trim();
    if (label) entry.label = label;
    const batch = item.querySelector('[data-role="batch"]');
    if (batch && readNumber(batch) !== null) entry.batch_size = readNumber(batch);
    const schedule = readSchedule(item, schedules);
    if (schedule) entry.schedule = schedule;
    return entry;
  }

  return {
    /** Show `entries`; a last entry cannot be removed. */
    render(entries, hasData) {
      list.replaceChildren(...entries.map((entry, i) => entryItem(entry, i, hasData)));
      for (const button of list.querySelectorAll('[data-action="remove"]')) button.disabled = entries.length <= 1;
    },
    read() {
      return [...list.children].map(readEntry);
    },
    /** Colour the swatches like the runs' traces. */
    colour(colours) {
      for (const swatch of list.querySelectorAll(".swatch")) {
        swatch.style.background = colours[Number(swatch.dataset.run)] ?? "transparent";
      }
    },
  };
}
