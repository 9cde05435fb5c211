// Every text a person reads, keyed by id: English first (Japanese will follow).
export const MESSAGES = {
  en: {
    lessons: "Lessons",
    lecture: "Lecture mode",
    view_3d: "3-D view",
    anatomy: "Inside the step",
    legend_memory: "momentum / m",
    legend_step: "step taken",
    anatomy_unrecorded: "The optimizer state is recorded for runs of up to 40,000 steps in all; this one is longer.",
    step: "step",
    csv: "CSV",
    json: "JSON",
    standardize: "Standardize x (fit on (x − mean) / std)",
    schedule: "lr schedule",
    schedule_none: "constant",
    sweep: "Sweep",
    sweep_lessons: "Sweep lessons",
    sweep_axis: "Axis {n}",
    sweep_none: "— none —",
    sweep_optimizer: "Sweeps {optimizer} on {surface} (the first optimizer and the surface on the left).",
    loss_threshold: "Loss threshold",
    run_sweep: "Run sweep",
    sweep_hint: "Click a cell to open that run.",
    sweep_title: "Final loss of {optimizer} per setting (red: diverged)",
    basin_title: "Which minimum {optimizer} reaches from each start",
    low: "from",
    high: "to",
    count: "count",
    scale: "scale",
    view_2d: "Contour view",
    share: "Share link",
    embed: "Embed",
    export: "Export HTML",
    png: "PNG",
    svg: "SVG",
    surface: "Surface",
    surface_custom: "Your formula",
    plot_loading: "Drawing…",
    plotly_3d_failed: "The 3-D view could not load its plotly.js; the contour view still works.",
    formula: "f(x, y) =",
    data_source: "Data",
    data_generated: "Generated line",
    data_yours: "Your data (CSV)",
    csv_label: "x,t pairs, one per line",
    csv_upload: "Upload a CSV file…",
    csv_points: "{n} points read",
    csv_bad_line: "line {line} is not two numbers: “{text}”",
    csv_too_few: "at least 2 points are needed",
    run: "Run",
    steps: "Steps",
    seed: "Seed",
    start_x: "Start x",
    start_y: "Start y",
    start_hint: "Click on the contour plot to start from there.",
    optimizers: "Optimizers",
    add_optimizer: "+ Add optimizer",
    duplicate: "Duplicate",
    remove: "Remove",
    label: "Label",
    batch_size: "Batch size",
    batch_help: "points per minibatch gradient (empty: the full batch)",
    play: "▶ Play",
    pause: "❚❚ Pause",
    speed: "Speed",
    run_label: "Run",
    status: "Status",
    steps_taken: "Steps",
    final_loss: "Final loss",
    distance: "To min",
    converged: "converged",
    max_steps: "max steps",
    diverged: "diverged",
    running: "running…",
    copied: "Copied to the clipboard.",
    link_too_long: "This view's data makes a link too long to share; its spec is downloaded as a JSON file instead (gradtrail export spec.json -o view.html makes a player of it).",
    share_title: "Link to this view",
    embed_title: "Paste this into your slides",
    network_error: "The server could not be reached: {detail}",
    server_error: "The run failed: {detail}",
    close: "Close",
    gradient: "∇f",
    formula_checking: "checking…",
  },
};

let language = "en";

/** The text for `id` with `{name}` placeholders filled from `values`. */
export function t(id, values = {}) {
  const text = MESSAGES[language][id] ?? MESSAGES.en[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** Fill every element that names a message in `data-text`. */
export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-text]")) {
    element.textContent = t(element.dataset.text);
  }
  // Shown by CSS in an empty plot, until Plotly draws into it.
  for (const element of root.querySelectorAll("[data-loading-text]")) {
    element.dataset.loading = t(element.dataset.loadingText);
  }
}
