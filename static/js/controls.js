// The settings panel: it shows a spec and reads one back. Every change calls
// onChange(spec); the server's 422 messages are shown next to their fields.
import { postJSON } from "./api.js";
import { element, numberField, readNumber } from "./dom.js";
import { clearFieldErrors, messageOf, showFieldErrors } from "./field-errors.js";
import { t } from "./messages.js";
import { MAX_ENTRIES, createOptimizerList } from "./optimizer-list.js";

const DEBOUNCE_MS = 350;
const GENERATE_FIELDS = [
  ["slope", 2, "any"], ["intercept", 1, "any"], ["noise", 0, "any"], ["n", 100, "1"], ["seed", 0, "1"],
];

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
  const surfaceList = [...surfaces, { id: "custom", name: t("surface_custom"), params: [] }];
  const surfaceById = Object.fromEntries(surfaceList.map((s) => [s.id, s]));
  const $ = (selector) => form.querySelector(selector);
  const surfaceSelect = $("#surface-select");
  const optimizerList = createOptimizerList($("#optimizer-list"), { optimizers });
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
    const spec = { surface: readSurface(), optimizers: optimizerList.read() };
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
    optimizerList.render(spec.optimizers, spec.surface.id === "regression");
    $("#add-optimizer").disabled = spec.optimizers.length >= MAX_ENTRIES;
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
    colour: optimizerList.colour,
    clearErrors: () => clearFieldErrors(form),
    showErrors: (detail) => showFieldErrors(form, detail),
  };
}
