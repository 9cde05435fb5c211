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
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** How a CSV's lines split into cells: tabs, then semicolons, then commas, else spaces. */
function separatorOf(lines) {
  for (const separator of ["\t", ";", ","]) if (lines.some((line) => line.includes(separator))) return separator;
  return /\s+/;
}

/** What is wrong with `cell` as a number (a text key), or null: "1,5" (a decimal comma
 * where commas do not separate) and "1 .5" (a space inside) are named, never dropped. */
function cellProblem(cell, separator) {
  if (NUMBER.test(cell)) return null;
  if (cell === "") return "csv_empty_cell";
  if (separator !== "," && /^[+-]?\d*,\d+$/.test(cell)) return "csv_decimal_comma";
  if (/\s/.test(cell) && NUMBER.test(cell.replace(/\s+/g, ""))) return "csv_space_in_number";
  return "not_a_number"; // said of the whole line (csv_bad_line)
}

/**
 * Parse pasted or uploaded CSV as people have it: a header row (a first line that is not
 * all numbers) names the columns; cells split on tabs, semicolons, commas or spaces; with
 * more than two columns `columns` says which is x and which is t (the first two unless
 * told). Every line must be numbers in every column: a line that is not says so, by number.
 * Returns `{x, y, names, columns}` (`names` one per column) or `{error}`.
 */
export function parseCsv(text, columns = { x: 0, y: 1 }) {
  const lines = text.split(/\r?\n/).map((line, i) => ({ number: i + 1, text: line.trim() }))
    .filter((line) => line.text && !line.text.startsWith("#"));
  const separator = separatorOf(lines.map((line) => line.text));
  const rows = lines.map((line) => ({ ...line, cells: line.text.split(separator).map((c) => c.trim()) }));
  let names = null;
  if (rows.length && !rows[0].cells.some((cell) => NUMBER.test(cell))) names = rows.shift().cells;
  const width = names?.length ?? rows[0]?.cells.length ?? 0;
  if (width < 2 && rows.length) {
    return { error: t("csv_bad_line", { line: rows[0].number, text: rows[0].text.slice(0, 40) }) };
  }
  const x = [];
  const y = [];
  for (const { number, text: line, cells } of rows) {
    const problems = cells.map((cell) => cellProblem(cell, separator));
    const named = problems.findIndex((problem) => problem && problem !== "not_a_number");
    if (named >= 0) {
      return { error: t(problems[named], { line: number, column: named + 1, text: cells[named].slice(0, 40) }) };
    }
    if (cells.length < 2 || problems.some(Boolean)) {
      return { error: t("csv_bad_line", { line: number, text: line.slice(0, 40) }) };
    }
    if (cells.length !== width) {
      return { error: t("csv_columns_differ", { line: number, n: cells.length, m: width, text: line.slice(0, 40) }) };
    }
    x.push(Number(cells[columns.x]));
    y.push(Number(cells[columns.y]));
  }
  if (x.length < 2) return { error: t("csv_too_few") };
  names ??= Array.from({ length: width }, (_, i) => t("csv_column", { n: i + 1 }));
  return { x, y, names, columns };
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
  // Whether the person chose the start (typed, clicked) or the window (zoomed) since the
  // settings were put in from outside: what they chose stays when the data change; what
  // they did not is asked of the server again (each data set has its own window and start).
  let startChosen = false;
  let windowChosen = false;
  // With more than two CSV columns, which is x and which is t (the person picks).
  let csvColumns = { x: 0, y: 1 };
  let csvNames = [];
  const columnPicker = element("div", { id: "csv-columns", class: "param-grid", hidden: true });
  $("#csv-status").before(columnPicker);
  const fitButton = element("button", { type: "button", id: "fit-window", "data-text": "fit_window", text: t("fit_window"), title: t("fit_window_hint") });
  $("#start-y").closest(".param-grid").after(fitButton);

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
    // A surface of many parameters starts from its own vector: no start point to type.
    for (const box of ["#start-x", "#start-y"]) $(box).closest("label").hidden = surface.many_parameters;
    $("[data-text='start_hint']").hidden = surface.many_parameters;
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
      const parsed = parseCsv($("#csv-input").value, csvColumns);
      showColumns(parsed.names ?? []);
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

  /** With more than two columns, a menu each for x and t, over the columns' names. */
  function showColumns(names) {
    if (names.join("\n") !== csvNames.join("\n")) {
      csvNames = names;
      if (Math.max(csvColumns.x, csvColumns.y) >= names.length) csvColumns = { x: 0, y: 1 };
      const menu = (axis, label) =>
        element("label", { class: "field" }, [
          element("span", { text: t(label) }),
          element("select", { name: `csv-column-${axis}` },
            names.map((name, i) => element("option", { value: String(i), text: name, selected: i === csvColumns[axis] }))),
        ]);
      columnPicker.replaceChildren(menu("x", "csv_x_column"), menu("y", "csv_t_column"));
    }
    columnPicker.hidden = names.length <= 2;
  }

  /** The surface without its window: what its data and fields are. */
  const withoutWindow = ({ domain, ...rest }) => JSON.stringify(rest);

  /** The spec shown, with every control's value patched in; `current` follows it. When a
   * surface fitted to data changed (its data, its loss …), a window and a start the person
   * did not choose are left out, so the server gives the ones that fit the new data (a
   * built-in's window does not follow its parameters: they stay). */
  function read() {
    const spec = structuredClone(current);
    spec.surface = readSurface();
    const fitted = Boolean(surfaceById[spec.surface.id].data_form); // its window fits its data
    if (fitted && withoutWindow(spec.surface) !== withoutWindow(current.surface)) {
      if (!windowChosen) delete spec.surface.domain;
      if (!startChosen) {
        $("#start-x").value = "";
        $("#start-y").value = "";
      }
    }
    spec.optimizers = optimizerList.read().map((entry, i) => keepExplicit(current.optimizers[i], entry));
    patch(spec, "steps", readNumber($("#steps")), defaults.steps);
    patch(spec, "seed", readNumber($("#seed")), 0);
    const start = [readNumber($("#start-x")), readNumber($("#start-y"))];
    const pointed = !surfaceById[spec.surface.id].many_parameters && !start.includes(null);
    patch(spec, "start", pointed ? start : null);
    current = spec;
    return structuredClone(spec);
  }

  /** Settings put in from outside (a lesson, a link, a sweep's cell). With `chosen` (a
   * link someone made) its start and window count as a person's choice, so new data keeps
   * them; a lesson's are the lesson's defaults, fitted again to new data. */
  function set(spec, { chosen = false } = {}) {
    startChosen = chosen && Boolean(spec.start);
    windowChosen = chosen && Boolean(spec.surface.domain);
    show(spec);
  }

  /** Show `spec` in the form; whether its start and window were chosen stays as it was. */
  function show(spec) {
    // Settings put in replace an edit still waiting out its debounce; the edits here that
    // call `show` call `changed` after it.
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
    if (event.target.id === "start-x" || event.target.id === "start-y") startChosen = true;
    if (event.target.id === "formula-input") {
      clearTimeout(formulaTimer);
      formulaTimer = setTimeout(previewFormula, 250);
    }
    if (event.target.matches('[data-role="optimizer"], [data-role="schedule-kind"], #surface-select, #data-mode, #csv-file, #csv-columns select')) return;
    changed();
  });
  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches('[data-role="schedule-kind"]')) {
      show(read()); // the chosen schedule's parameters
      changed();
    } else if (target.matches('[data-role="optimizer"]')) {
      const spec = read();
      const index = Number(target.closest("li").dataset.index);
      spec.optimizers[index] = { id: target.value };
      show(spec);
      changed();
    } else if (target.id === "surface-select") {
      const spec = read(); // the fields still belong to the surface shown until now
      dataError = null; // another surface's pasted points are not this one's
      spec.surface = { id: target.value, ...structuredClone(surfaceById[target.value].example) };
      delete spec.start;
      set(spec);
      changed();
    } else if (target.name === "csv-column-x" || target.name === "csv-column-y") {
      csvColumns = { ...csvColumns, [target.name.slice(-1)]: Number(target.value) };
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
    show(spec);
    changed();
  });
  // Fit: the window the server gives this surface and data (the zoom is let go).
  fitButton.addEventListener("click", () => {
    delete current.surface.domain;
    windowChosen = false;
    onChange(read());
  });
  $("#add-optimizer").addEventListener("click", () => {
    const spec = read();
    spec.optimizers.push({ id: defaults.optimizer });
    show(spec);
    changed();
  });

  return {
    set,
    read,
    /** Click on the contour: start there. */
    setStart(x, y) {
      if (surfaceById[current.surface.id].many_parameters) return; // it starts from its vector
      $("#start-x").value = Number(x.toPrecision(6));
      $("#start-y").value = Number(y.toPrecision(6));
      startChosen = true;
      onChange(read());
    },
    /** The run started at (x, y): empty start boxes (the server's choice) show it greyed,
     * so a person sees where the run starts without it becoming their choice. */
    startedAt(x, y) {
      $("#start-x").placeholder = Number(x.toPrecision(6));
      $("#start-y").placeholder = Number(y.toPrecision(6));
    },
    /** A zoom chose the window `domain`: the spec shown holds it (no run: the contour asks
     * for its grid); returns that spec, for the state and the link. */
    setWindow(domain) {
      current.surface.domain = domain;
      windowChosen = true;
      return structuredClone(current);
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
