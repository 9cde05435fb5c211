// The settings panel: it shows a spec and reads one back. Every change calls
// onChange(spec), or onInvalid() when the settings cannot run (an unreadable CSV); the
// server's 422 messages are shown next to their fields.
// The spec shown is the state: an edit patches it field by field, so whatever no
// control shows (a lesson's domain, its data's x_range, stop, record) is kept.
import { postJSON } from "./api.js";
import { element, numberField, readNumber } from "./dom.js";
import { clearFieldErrors, messageOf, showFieldErrors } from "./field-errors.js";
import { t } from "./messages.js";
import { createOptimizerList } from "./optimizer-list.js";

const DEBOUNCE_MS = 350;
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

/**
 * The panel over the API's catalogue: `surfaces`, `optimizers`, and the `limits` and
 * `defaults` (steps, generated data, schedules …) it shows.
 */
export function createControls(form, { surfaces, optimizers, limits, defaults, hasData, onChange, onInvalid }) {
  const surfaceById = Object.fromEntries(surfaces.map((s) => [s.id, s]));
  const optimizerById = Object.fromEntries(optimizers.map((o) => [o.id, o]));
  const $ = (selector) => form.querySelector(selector);
  const surfaceSelect = $("#surface-select");
  const optimizerList = createOptimizerList($("#optimizer-list"), {
    optimizers, schedules: defaults.schedules, labelLength: limits.label_length,
  });
  $("#formula-input").maxLength = limits.formula_length;
  $("#steps").max = limits.steps;
  let timer = null;
  let formulaTimer = null;
  let current = { surface: { id: surfaces[0].id }, optimizers: [] }; // the spec shown

  surfaceSelect.replaceChildren(...surfaces.map((s) => element("option", { value: s.id, text: s.name })));
  /** A surface takes a typed formula when its kind's new spec starts from one. */
  const takesFormula = (id) => "expression" in surfaceById[id].example;

  /** Show the text `key` in `node` (and keep it named there, as the page's other texts). */
  const say = (node, key) => {
    node.dataset.text = key;
    node.textContent = t(key);
  };

  let dataError = null; // the pasted CSV's problem: nothing runs until it is fixed

  // `body[data-edit="pending"]` while an edit waits out its debounce: what is on screen is
  // not yet of the form's settings (tests and scripts wait for it to go).
  const waiting = (pending) => {
    if (pending) document.body.dataset.edit = "pending";
    else delete document.body.dataset.edit;
  };
  const cancelEdit = () => {
    clearTimeout(timer);
    waiting(false);
  };

  const changed = () => {
    clearTimeout(timer);
    waiting(true);
    timer = setTimeout(() => {
      waiting(false);
      const spec = read();
      $("#csv-status").classList.toggle("error", Boolean(dataError));
      if (dataError) {
        onInvalid(); // what is on screen is not of these settings, and nothing can run
        return;
      }
      onChange(spec);
    }, DEBOUNCE_MS);
  };

  /**
   * Set `key` of `target` (a copy of the spec shown) to a control's `value`. An empty
   * control removes the key; a value equal to the control's `fallback` stays out of a
   * spec that did not have the key, and stays in one that did.
   */
  function patch(target, key, value, fallback = undefined) {
    if (value === null || value === undefined) delete target[key];
    else if (!(value === fallback && !(key in target))) target[key] = value;
  }

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
    $("#formula-box").hidden = !takesFormula(spec.id);
    if (takesFormula(spec.id)) {
      $("#formula-input").value = spec.expression ?? "";
      previewFormula();
    }
    const kind = surface.data_form; // the catalogue's description of its data box
    $("#data-box").hidden = !kind;
    if (kind) renderData(spec, kind);
    // Its fields chosen from a menu (a loss, an activation), each at the spec's choice.
    $("#surface-menus").replaceChildren(
      ...surface.menus.map((menu) =>
        element("label", { class: "field", "data-loc": `surface.${menu.field}` }, [
          element("span", { text: menu.label }),
          element("select", { name: `surface-menu-${menu.field}` },
            menu.choices.map((c) => element("option", { value: c.id, text: c.name, selected: c.id === (spec[menu.field] ?? menu.default) }))),
        ]),
      ),
    );
  }

  /** The data box of a surface with data: generated (its settings) or pasted points. */
  function renderData(spec, kind) {
    $("#standardize-field").hidden = !kind.standardize;
    $("#standardize").checked = Boolean(spec.standardize);
    say($("#data-generated"), kind.generated);
    say($("#csv-label"), kind.csv_label);
    $("#csv-input").placeholder = kind.example;
    const mode = spec.data || dataError ? "data" : "generate"; // pasted points being mended stay
    $("#data-mode").value = mode;
    $("#csv-box").hidden = mode !== "data";
    $("#generate-params").hidden = mode !== "generate";
    const generated = spec[kind.key] ?? {};
    $("#generate-params").replaceChildren(
      ...kind.fields.map(({ name, step, label }) =>
        numberField(label, {
          value: generated[name] ?? kind.defaults[name], step, name: `generate-${name}`,
          loc: `surface.${kind.key}.${name}`,
        }),
      ),
    );
    if (spec.data) {
      $("#csv-input").value = spec.data.x.map((v, i) => `${v},${spec.data.y[i]}`).join("\n");
      $("#csv-status").textContent = t("csv_points", { n: spec.data.x.length });
    } else if (!dataError) {
      $("#csv-input").value = "";
      $("#csv-status").textContent = "";
    }
  }

  /** The shown surface with its controls' values patched in (the fields belong to it). */
  function readSurface() {
    dataError = null;
    const surface = structuredClone(current.surface);
    const params = { ...surface.params };
    for (const p of surfaceById[surface.id].params) {
      patch(params, p.name, readNumber($(`[name="surface-param-${p.name}"]`)), p.default);
    }
    patch(surface, "params", Object.keys(params).length ? params : null);
    if (takesFormula(surface.id)) surface.expression = $("#formula-input").value;
    for (const menu of surfaceById[surface.id].menus) {
      patch(surface, menu.field, $(`[name="surface-menu-${menu.field}"]`).value, menu.default);
    }
    const kind = surfaceById[surface.id].data_form;
    if (!kind) return surface;
    if (kind.standardize) patch(surface, "standardize", $("#standardize").checked, false);
    if ($("#data-mode").value === "data") {
      const parsed = parseCsv($("#csv-input").value);
      dataError = parsed.error ?? null;
      $("#csv-status").textContent = parsed.error ?? t("csv_points", { n: parsed.x.length });
      delete surface[kind.key];
      patch(surface, "data", parsed.error ? null : { x: parsed.x, y: parsed.y });
    } else {
      const generated = { ...surface[kind.key] }; // x_range and the rest no field shows stay
      for (const { name } of kind.fields) {
        patch(generated, name, readNumber($(`[name="generate-${name}"]`)), kind.defaults[name]);
      }
      delete surface.data;
      patch(surface, kind.key, Object.keys(generated).length ? generated : null);
    }
    return surface;
  }

  /**
   * The list leaves out a hyperparameter at its default; one the spec shown had set
   * (a lesson's explicit momentum 0.9) stays in, at the value its control shows.
   */
  function keepExplicit(before, entry) {
    if (!before || before.id !== entry.id || !before.params) return entry;
    const shown = { ...entry.params };
    for (const p of optimizerById[entry.id].params) {
      if (p.name in before.params && !(p.name in shown)) shown[p.name] = p.default;
    }
    return Object.keys(shown).length ? { ...entry, params: shown } : entry;
  }

  /** The spec shown, with every control's value patched in; `current` follows it. */
  function read() {
    const spec = structuredClone(current);
    spec.surface = readSurface();
    spec.optimizers = optimizerList.read().map((entry, i) => keepExplicit(current.optimizers[i], entry));
    patch(spec, "steps", readNumber($("#steps")), defaults.steps);
    patch(spec, "seed", readNumber($("#seed")), 0);
    const start = [readNumber($("#start-x")), readNumber($("#start-y"))];
    patch(spec, "start", start.includes(null) ? null : start);
    current = spec;
    return structuredClone(spec);
  }

  function set(spec) {
    // Settings put in from outside (a lesson, a sweep's cell) replace an edit still waiting
    // out its debounce; the edits here that call `set` call `changed` after it.
    cancelEdit();
    current = structuredClone(spec);
    renderSurface({ ...spec.surface });
    $("#steps").value = spec.steps ?? defaults.steps;
    $("#seed").value = spec.seed ?? 0;
    $("#start-x").value = spec.start?.[0] ?? "";
    $("#start-y").value = spec.start?.[1] ?? "";
    optimizerList.render(spec.optimizers, hasData(spec.surface.id)); // minibatches need data
    $("#add-optimizer").disabled = spec.optimizers.length >= limits.optimizers;
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
      const form = (text) => text ?? t("formula_too_long_to_show"); // null: past the budget
      preview.replaceChildren(
        element("div", { text: `f = ${form(shown.f_text)}` }),
        element("div", { text: `∂f/∂x = ${form(shown.df_dx_text)}` }),
        element("div", { text: `∂f/∂y = ${form(shown.df_dy_text)}` }),
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
      const spec = read(); // the fields still belong to the surface shown until now
      dataError = null; // another surface's pasted points are not this one's
      spec.surface = { id: target.value, ...structuredClone(surfaceById[target.value].example) };
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
    spec.optimizers.push({ id: defaults.optimizer });
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
    colour: optimizerList.colour,
    clearErrors: () => clearFieldErrors(form),
    /** The 422's items next to their fields; the formula's in its preview, once. */
    showErrors(detail) {
      const items = Array.isArray(detail) ? detail : [{ loc: [], msg: String(detail) }];
      const inFormula = (item) => item.loc.filter((part) => part !== "body").join(".") === "surface.expression";
      const formula = items.filter(inFormula);
      if (formula.length) {
        const preview = $("#formula-preview");
        preview.textContent = messageOf(formula);
        preview.classList.add("error");
      }
      showFieldErrors(form, items.filter((item) => !inFormula(item)));
    },
  };
}
