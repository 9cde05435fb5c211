// The settings panel: it shows a spec and reads one back. Every change calls
// onChange(spec); the server's 422 messages are shown next to their fields.
import { postJSON } from "./api.js";
import { t } from "./messages.js";

const DEBOUNCE_MS = 350;
const CUSTOM = { id: "custom", name: "Your formula", params: [] };
const GENERATE_FIELDS = [
  ["slope", 2, "any"], ["intercept", 1, "any"], ["noise", 0, "any"], ["n", 100, "1"], ["seed", 0, "1"],
];

function element(tag, attributes = {}, children = []) {
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

function numberField(labelText, { value, placeholder, min, max, step = "any", title, loc, name }) {
  return element("label", { class: "field", "data-loc": loc, title }, [
    element("span", { text: labelText }),
    element("input", {
      type: "number", step, name, value: value ?? "", placeholder: placeholder ?? "",
      min: min ?? undefined, max: max ?? undefined,
    }),
  ]);
}

// torch.optim.lr_scheduler's parameters and defaults, per schedule kind.
const SCHEDULES = {
  step: { step_size: 10, gamma: 0.1 },
  exponential: { gamma: 0.95 },
  cosine: { T_max: 100, eta_min: 0 },
  linear: { start_factor: 1 / 3, end_factor: 1, total_iters: 5 },
};

const readNumber = (input) => (input.value.trim() === "" ? null : Number(input.value));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Parse pasted or uploaded "x,t" lines; a header line is skipped. */
export function parseCsv(text) {
  const x = [];
  const y = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i].trim();
    if (!line || line.startsWith("#")) continue;
    const cells = line.split(/[,;\t ]+/).filter(Boolean);
    const numbers = cells.slice(0, 2).map(Number);
    if (cells.length < 2 || numbers.some((v) => !Number.isFinite(v))) {
      if (x.length === 0 && i === lines.findIndex((l) => l.trim())) continue; // a header
      return { error: t("csv_bad_line", { line: i + 1, text: line.slice(0, 40) }) };
    }
    x.push(numbers[0]);
    y.push(numbers[1]);
  }
  return x.length < 2 ? { error: t("csv_too_few") } : { x, y };
}

export function createControls(form, { surfaces, optimizers, onChange }) {
  const byId = Object.fromEntries(optimizers.map((o) => [o.id, o]));
  const surfaceList = [...surfaces, CUSTOM];
  const surfaceById = Object.fromEntries(surfaceList.map((s) => [s.id, s]));
  const $ = (selector) => form.querySelector(selector);
  const surfaceSelect = $("#surface-select");
  const list = $("#optimizer-list");
  let timer = null;
  let formulaTimer = null;

  surfaceSelect.replaceChildren(...surfaceList.map((s) => element("option", { value: s.id, text: s.name })));

  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => onChange(read()), DEBOUNCE_MS);
  };

  function renderSurface(spec) {
    const surface = surfaceById[spec.id];
    surfaceSelect.value = spec.id;
    $("#surface-params").replaceChildren(
      ...surface.params.map((p) =>
        numberField(p.name, {
          value: spec.params?.[p.name] ?? p.default, min: p.min, max: p.max, title: p.help,
          name: `surface-param-${p.name}`, loc: "surface",
        }),
      ),
    );
    $("#formula-box").hidden = spec.id !== "custom";
    $("#data-box").hidden = spec.id !== "regression";
    if (spec.id === "custom") {
      $("#formula-input").value = spec.expression ?? "";
      previewFormula();
    }
    if (spec.id === "regression") {
      $("#standardize").checked = Boolean(spec.standardize);
      const mode = spec.data ? "data" : "generate";
      $("#data-mode").value = mode;
      $("#csv-box").hidden = mode !== "data";
      $("#generate-params").hidden = mode !== "generate";
      const generate = spec.generate ?? {};
      $("#generate-params").replaceChildren(
        ...GENERATE_FIELDS.map(([name, fallback, step]) =>
          numberField(name, {
            value: generate[name] ?? fallback, step, name: `generate-${name}`, loc: `surface.generate.${name}`,
          }),
        ),
      );
      if (spec.data) {
        $("#csv-input").value = spec.data.x.map((v, i) => `${v},${spec.data.y[i]}`).join("\n");
        $("#csv-status").textContent = t("csv_points", { n: spec.data.x.length });
      }
    }
  }

  function paramInputs(optimizer, values, index) {
    return optimizer.params.map((p) => {
      const value = values[p.name] ?? p.default;
      const loc = `optimizers.${index}.params`;
      if (p.kind === "bool") {
        return element("label", { class: "field check", title: p.help, "data-loc": loc }, [
          element("input", { type: "checkbox", "data-param": p.name, checked: Boolean(value) }),
          element("span", { text: p.name }),
        ]);
      }
      if (p.kind === "pair") {
        return element("label", { class: "field pair", title: p.help, "data-loc": loc }, [
          element("span", { text: p.name }),
          ...[0, 1].map((k) =>
            element("input", {
              type: "number", step: "any", "data-param": p.name, "data-part": String(k),
              value: value[k], min: p.min ?? undefined, max: p.max ?? undefined,
            }),
          ),
        ]);
      }
      const field = numberField(p.name, { value, min: p.min, max: p.max, title: p.help, loc });
      field.querySelector("input").dataset.param = p.name;
      return field;
    });
  }

  function entryItem(entry, index, isRegression) {
    const optimizer = byId[entry.id];
    const select = element("select", { "data-role": "optimizer" },
      optimizers.map((o) => element("option", { value: o.id, text: o.name, selected: o.id === entry.id })));
    const item = element("li", { class: "optimizer", "data-index": String(index), "data-loc": `optimizers.${index}` }, [
      element("div", { class: "optimizer-head" }, [
        element("span", { class: "swatch", "data-run": String(index) }),
        select,
        element("button", { type: "button", "data-action": "duplicate", text: t("duplicate") }),
        element("button", { type: "button", "data-action": "remove", text: t("remove"), disabled: false }),
      ]),
      element("label", { class: "field", "data-loc": `optimizers.${index}.label` }, [
        element("span", { text: t("label") }),
        element("input", { type: "text", "data-role": "label", value: entry.label ?? "", maxlength: "80", placeholder: optimizer.name }),
      ]),
      element("div", { class: "param-grid", "data-loc": `optimizers.${index}.params` }, paramInputs(optimizer, entry.params ?? {}, index)),
    ]);
    item.append(scheduleFields(entry.schedule, index));
    if (isRegression) {
      const batch = numberField(t("batch_size"), {
        value: entry.batch_size ?? "", min: 1, step: "1", title: t("batch_help"), loc: `optimizers.${index}.batch_size`,
      });
      batch.querySelector("input").dataset.role = "batch";
      item.append(batch);
    }
    return item;
  }

  function scheduleFields(schedule, index) {
    const kind = element("select", { "data-role": "schedule-kind" }, [
      element("option", { value: "", text: t("schedule_none"), selected: !schedule }),
      ...Object.keys(SCHEDULES).map((name) => element("option", { value: name, text: name, selected: schedule?.kind === name })),
    ]);
    const params = schedule
      ? Object.entries(SCHEDULES[schedule.kind]).map(([name, fallback]) => {
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

  function readSchedule(item) {
    const kind = item.querySelector('[data-role="schedule-kind"]').value;
    if (!kind) return null;
    const schedule = { kind };
    for (const input of item.querySelectorAll("[data-schedule]")) {
      const value = readNumber(input);
      if (value !== null && value !== SCHEDULES[kind][input.dataset.schedule]) schedule[input.dataset.schedule] = value;
    }
    return schedule;
  }

  function renderOptimizers(entries, isRegression) {
    list.replaceChildren(...entries.map((entry, i) => entryItem(entry, i, isRegression)));
    for (const button of list.querySelectorAll('[data-action="remove"]')) button.disabled = entries.length <= 1;
    $("#add-optimizer").disabled = entries.length >= 16;
  }

  function readEntry(item) {
    const id = item.querySelector('[data-role="optimizer"]').value;
    const optimizer = byId[id];
    const params = {};
    for (const p of optimizer.params) {
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
    const schedule = readSchedule(item);
    if (schedule) entry.schedule = schedule;
    return entry;
  }

  function readSurface() {
    const id = surfaceSelect.value;
    const surface = { id };
    const params = {};
    for (const p of surfaceById[id].params) {
      const value = readNumber($(`[name="surface-param-${p.name}"]`));
      if (value !== null && value !== p.default) params[p.name] = value;
    }
    if (Object.keys(params).length) surface.params = params;
    if (id === "custom") surface.expression = $("#formula-input").value;
    if (id === "regression") {
      if ($("#standardize").checked) surface.standardize = true;
      if ($("#data-mode").value === "data") {
        const parsed = parseCsv($("#csv-input").value);
        $("#csv-status").textContent = parsed.error ?? t("csv_points", { n: parsed.x.length });
        if (!parsed.error) surface.data = { x: parsed.x, y: parsed.y };
      } else {
        const generate = {};
        for (const [name, fallback] of GENERATE_FIELDS) {
          const value = readNumber($(`[name="generate-${name}"]`));
          if (value !== null && value !== fallback) generate[name] = value;
        }
        if (Object.keys(generate).length) surface.generate = generate;
      }
    }
    return surface;
  }

  function read() {
    const spec = { surface: readSurface(), optimizers: [...list.children].map(readEntry) };
    const steps = readNumber($("#steps"));
    if (steps !== null) spec.steps = steps;
    const seed = readNumber($("#seed"));
    if (seed !== null && seed !== 0) spec.seed = seed;
    const start = [readNumber($("#start-x")), readNumber($("#start-y"))];
    if (!start.includes(null)) spec.start = start;
    return spec;
  }

  function set(spec) {
    renderSurface({ ...spec.surface });
    $("#steps").value = spec.steps ?? 200;
    $("#seed").value = spec.seed ?? 0;
    $("#start-x").value = spec.start?.[0] ?? "";
    $("#start-y").value = spec.start?.[1] ?? "";
    renderOptimizers(spec.optimizers, spec.surface.id === "regression");
  }

  let previewRequest = 0;

  async function previewFormula() {
    const preview = $("#formula-preview");
    const expression = $("#formula-input").value;
    const request = ++previewRequest; // answers may come back out of order: keep the newest
    if (!expression.trim()) {
      preview.textContent = "";
      return;
    }
    preview.textContent = t("formula_checking");
    try {
      const shown = await postJSON("/api/formula", { expression });
      if (request !== previewRequest) return;
      preview.replaceChildren(
        element("div", { text: `f = ${shown.f_text}` }),
        element("div", { text: `∂f/∂x = ${shown.df_dx_text}` }),
        element("div", { text: `∂f/∂y = ${shown.df_dy_text}` }),
      );
      preview.classList.remove("error");
    } catch (error) {
      if (request !== previewRequest) return;
      preview.textContent = messageOf(error.detail);
      preview.classList.add("error");
    }
  }

  // Every edit funnels into `changed`; structural edits re-render first.
  form.addEventListener("input", (event) => {
    if (event.target.id === "formula-input") {
      clearTimeout(formulaTimer);
      formulaTimer = setTimeout(previewFormula, 250);
    }
    if (event.target.matches('[data-role="optimizer"], [data-role="schedule-kind"], #surface-select, #data-mode, #csv-file')) return;
    changed();
  });
  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches('[data-role="schedule-kind"]')) {
      set(read()); // show the chosen schedule's parameters
      changed();
    } else if (target.matches('[data-role="optimizer"]')) {
      const spec = read();
      const index = Number(target.closest("li").dataset.index);
      spec.optimizers[index] = { id: target.value };
      set(spec);
      changed();
    } else if (target.id === "surface-select") {
      const spec = read();
      spec.surface = { id: target.value, ...(target.value === "custom" ? { expression: "x^2 + 3*y^2" } : {}) };
      delete spec.start;
      set(spec);
      changed();
    } else if (target.id === "data-mode") {
      $("#csv-box").hidden = target.value !== "data";
      $("#generate-params").hidden = target.value !== "generate";
      changed();
    } else if (target.id === "csv-file" && target.files[0]) {
      target.files[0].text().then((text) => {
        $("#csv-input").value = text;
        changed();
      });
    }
  });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const spec = read();
    const index = Number(button.closest("li").dataset.index);
    if (button.dataset.action === "remove") spec.optimizers.splice(index, 1);
    else spec.optimizers.splice(index + 1, 0, structuredClone(spec.optimizers[index]));
    set(spec);
    changed();
  });
  $("#add-optimizer").addEventListener("click", () => {
    const spec = read();
    spec.optimizers.push({ id: "adam" });
    set(spec);
    changed();
  });

  return {
    set,
    read,
    /** Click on the contour: start there. */
    setStart(x, y) {
      $("#start-x").value = Number(x.toPrecision(6));
      $("#start-y").value = Number(y.toPrecision(6));
      onChange(read());
    },
    /** Colour the swatches like the runs' traces. */
    colour(colours) {
      for (const swatch of list.querySelectorAll(".swatch")) {
        swatch.style.background = colours[Number(swatch.dataset.run)] ?? "transparent";
      }
    },
    clearErrors() {
      for (const node of form.querySelectorAll(".field-error")) node.remove();
      for (const node of form.querySelectorAll(".invalid")) node.classList.remove("invalid");
      const general = $("#form-error");
      general.hidden = true;
      general.textContent = "";
    },
    /** Show each 422 item next to the field its `loc` names (the longest matching data-loc). */
    showErrors(detail) {
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
        const message = element("p", { class: "field-error", role: "alert", text });
        if (target) {
          target.classList.add("invalid");
          target.append(message);
        } else {
          const general = $("#form-error");
          general.hidden = false;
          general.textContent = messageOf([item]);
        }
      }
    },
  };
}

/** A person's reading of a 422 detail (pydantic's "Value error, " prefix removed). */
export function messageOf(detail) {
  if (!Array.isArray(detail)) return String(detail);
  return detail.map((item) => String(item.msg).replace(/^Value error, /, "")).join("; ");
}
