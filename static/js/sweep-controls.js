// The sweep form: two axes (a hyperparameter or a start coordinate, values as a
// linear or log range), steps and a loss threshold. The surface, start and the
// optimizer come from the run settings on the left.
import { element, labelled, readNumber } from "./dom.js";
import { t } from "./messages.js";

const option = (value, text, selected) => element("option", { value, text, selected });

/** An axis in the learner's words with torch's name beside it: "learning rate (lr)". The
 * words are the catalogue's, per optimizer (`optimizer.axis_words`). */
export const axisLabel = (optimizer, name) => `${optimizer.axis_words[name]} (${name})`;

/**
 * The menu of axis `k` and its label, "Axis 1" with torch's name of the chosen axis beside
 * it (as the run form writes "learning rate `lr`"). The options read the learner's words
 * alone, each with the whole "words (name)" as its title: with the name in brackets a
 * closed menu cut "momentum decay ψ (momentum_d…" at 1366×768.
 */
function axisMenu(k, axis, names, optimizer) {
  const select = element("select", { "data-role": "name" }, [
    ...(k === 1 ? [option("", t("sweep_none"), !axis)] : []),
    ...names.map((name) => element("option", {
      value: name, text: optimizer.axis_words[name], title: axisLabel(optimizer, name), selected: axis?.name === name,
    })),
  ]);
  const code = element("code", { "data-role": "torch-name" });
  const show = () => {
    code.textContent = select.value;
    code.hidden = !select.value;
  };
  select.addEventListener("change", show);
  show();
  return labelled(element("span", { class: "param-name" }, [`${t("sweep_axis", { n: k + 1 })} `, code]), select);
}

/** A number input tagged with its role in the axis box. */
const axisInput = (role, value, attributes = {}) =>
  element("input", { type: "number", step: "any", "data-role": role, value: value ?? "", ...attributes });

export function createSweepControls(form, { optimizers, hasData, limits, defaults, sweepAxes }) {
  form.querySelector("#sweep-steps").max = limits.sweep_steps;
  const byId = Object.fromEntries(optimizers.map((o) => [o.id, o]));
  const axesNode = form.querySelector("#sweep-axes");

  function renderAxes(axes, names, optimizer) {
    axesNode.replaceChildren(
      ...[0, 1].map((k) => {
        const axis = axes[k] ?? null;
        const scale = element("select", { "data-role": "scale" },
          ["linear", "log"].map((value) => option(value, t(`scale_${value}`), axis?.scale === value)));
        const count = axis?.count ?? axis?.values?.length ?? sweepAxes.axis_count;
        const grid = element("div", { class: "axis-grid" }, [
          labelled(t("low"), axisInput("low", axis?.low, { placeholder: t("sweep_domain") })),
          labelled(t("high"), axisInput("high", axis?.high, { placeholder: t("sweep_domain") })),
          labelled(t("count"), axisInput("count", count, { min: "1", max: String(limits.sweep_axis_count), step: "1" })),
          labelled(t("scale"), scale),
        ]);
        return element("div", { class: "axis", "data-axis": String(k) }, [
          axisMenu(k, axis, names, optimizer), grid,
        ]);
      }),
    );
  }

  function readAxes() {
    const axes = [];
    for (const box of axesNode.children) {
      const name = box.querySelector('[data-role="name"]').value;
      if (!name) continue;
      const number = (role) => readNumber(box.querySelector(`[data-role="${role}"]`));
      const axis = { name, count: number("count") ?? undefined, scale: box.querySelector('[data-role="scale"]').value };
      if (number("low") !== null) axis.low = number("low");
      if (number("high") !== null) axis.high = number("high");
      axes.push(axis);
    }
    return axes;
  }

  return {
    /** Show a sweep spec (axes, steps, threshold) for the run settings `run`. */
    set(sweep, run) {
      const optimizer = byId[run.optimizers[0].id];
      // What a sweep of it may vary, and what it varies first: the server's lists.
      const names = [...optimizer.sweep_axes, ...(hasData(run.surface.id) ? sweepAxes.data_axes : [])];
      renderAxes(sweep?.axes ?? optimizer.first_sweep, names, optimizer);
      form.querySelector("#sweep-steps").value = sweep?.steps ?? defaults.sweep_steps;
      form.querySelector("#sweep-threshold").value = sweep?.loss_threshold ?? "";
      form.querySelector("#sweep-optimizer").textContent = t("sweep_optimizer", {
        optimizer: optimizer.name, surface: t(`surface.${run.surface.id}`),
      });
    },
    /** The sweep spec of the form, over the run settings `run`. */
    read(run) {
      const { id, params, batch_size: batchSize } = run.optimizers[0];
      const sweep = {
        surface: run.surface,
        optimizer: { id, params: params ?? {}, ...(batchSize ? { batch_size: batchSize } : {}) },
        steps: Number(form.querySelector("#sweep-steps").value) || defaults.sweep_steps,
        axes: readAxes(),
      };
      if (run.start) sweep.start = run.start;
      if (run.seed) sweep.seed = run.seed;
      const threshold = form.querySelector("#sweep-threshold").value.trim();
      if (threshold !== "") sweep.loss_threshold = Number(threshold);
      return sweep;
    },
  };
}
