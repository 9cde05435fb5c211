// The sweep form: two axes (a hyperparameter or a start coordinate, values as a
// linear or log range), steps and a loss threshold. The surface, start and the
// optimizer come from the run settings on the left.
import { t } from "./messages.js";
import { sweepable } from "./sweep.js";

/** A first sweep for an optimizer: its learning rate against its momentum-like parameter. */
function defaultAxes(names) {
  const second = ["momentum", "betas[0]", "alpha", "rho"].find((name) => names.includes(name));
  const axes = [{ name: "lr", low: 0.001, high: 0.3, count: 40, scale: "log" }];
  if (second) axes.push({ name: second, low: 0, high: 0.95, count: 30, scale: "linear" });
  return axes;
}

function option(value, text, selected) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = text;
  node.selected = selected;
  return node;
}

function input(role, value, attributes = {}) {
  const node = document.createElement("input");
  node.type = "number";
  node.step = "any";
  node.dataset.role = role;
  node.value = value ?? "";
  Object.assign(node, attributes);
  return node;
}

function labelled(text, control) {
  const label = document.createElement("label");
  label.className = "field";
  const span = document.createElement("span");
  span.textContent = text;
  label.append(span, control);
  return label;
}

export function createSweepControls(form, { optimizers }) {
  const byId = Object.fromEntries(optimizers.map((o) => [o.id, o]));
  const axesNode = form.querySelector("#sweep-axes");

  function renderAxes(axes, names) {
    axesNode.replaceChildren(
      ...[0, 1].map((k) => {
        const axis = axes[k] ?? null;
        const select = document.createElement("select");
        select.dataset.role = "name";
        if (k === 1) select.append(option("", t("sweep_none"), !axis));
        for (const name of names) select.append(option(name, name, axis?.name === name));
        const scale = document.createElement("select");
        scale.dataset.role = "scale";
        for (const value of ["linear", "log"]) scale.append(option(value, value, axis?.scale === value));
        const box = document.createElement("div");
        box.className = "axis";
        box.dataset.axis = String(k);
        const grid = document.createElement("div");
        grid.className = "axis-grid";
        grid.append(
          labelled(t("low"), input("low", axis?.low, { placeholder: "domain" })),
          labelled(t("high"), input("high", axis?.high, { placeholder: "domain" })),
          labelled(t("count"), input("count", axis?.count ?? axis?.values?.length ?? 30, { min: 1, max: 400, step: 1 })),
          labelled(t("scale"), scale),
        );
        box.append(labelled(t("sweep_axis", { n: k + 1 }), select), grid);
        return box;
      }),
    );
  }

  function readAxes() {
    const axes = [];
    for (const box of axesNode.children) {
      const name = box.querySelector('[data-role="name"]').value;
      if (!name) continue;
      const number = (role) => {
        const text = box.querySelector(`[data-role="${role}"]`).value.trim();
        return text === "" ? undefined : Number(text);
      };
      const axis = { name, count: number("count"), scale: box.querySelector('[data-role="scale"]').value };
      if (number("low") !== undefined) axis.low = number("low");
      if (number("high") !== undefined) axis.high = number("high");
      axes.push(axis);
    }
    return axes;
  }

  return {
    /** Show a sweep spec (axes, steps, threshold) for the run settings `run`. */
    set(sweep, run) {
      const optimizer = byId[run.optimizers[0].id];
      const names = sweepable(optimizer, run.surface.id);
      renderAxes(sweep?.axes ?? defaultAxes(names), names);
      form.querySelector("#sweep-steps").value = sweep?.steps ?? 300;
      form.querySelector("#sweep-threshold").value = sweep?.loss_threshold ?? "";
      form.querySelector("#sweep-optimizer").textContent = t("sweep_optimizer", {
        optimizer: optimizer.name, surface: run.surface.id,
      });
    },
    /** The sweep spec of the form, over the run settings `run`. */
    read(run) {
      const { id, params, batch_size: batchSize } = run.optimizers[0];
      const sweep = {
        surface: run.surface,
        optimizer: { id, params: params ?? {}, ...(batchSize ? { batch_size: batchSize } : {}) },
        steps: Number(form.querySelector("#sweep-steps").value) || 300,
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
