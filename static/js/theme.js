// The page's theme (?theme=, kept in the link): its colours are CSS custom properties the
// server writes into the page for each theme; its figures are the server's, redrawn here
// by the catalogue's recipe for the theme (engine/figures/style.py THEMES), so a colour
// lives in one place. The first theme of the catalogue is the default, drawn as sent.
const catalog = JSON.parse(document.querySelector("#catalog").textContent);
const NAMES = Object.keys(catalog.themes);
let recipe = null; // the current theme's figure recipe; null draws figures as sent

/** The theme named `name` if the catalogue has it, else null (the default). */
export function knownTheme(name) {
  return name && NAMES.includes(name) && name !== NAMES[0] ? name : null;
}

/** Show the page in theme `name` (null: the default); figures drawn after follow it. */
export function useTheme(name) {
  const known = knownTheme(name);
  if (known) document.documentElement.dataset.theme = known;
  else delete document.documentElement.dataset.theme;
  recipe = known ? catalog.themes[known] : null;
}

/** `value` (a figure's part, any depth) with every colour the theme maps replaced. */
function recoloured(value, map) {
  if (typeof value === "string") return map[value.toLowerCase()] ?? value;
  if (Array.isArray(value)) return value.map((item) => recoloured(item, map));
  if (value && typeof value === "object" && !("bdata" in value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, recoloured(item, map)]));
  }
  return value;
}

/** `colour` as the current theme draws it. */
export function themeColour(colour) {
  return recipe ? recoloured(colour, recipe.recolour) : colour;
}

const AXIS = /^[xy]axis\d*$/;

/** `layout` in the current theme: its paper, ink, rules and legend. */
export function themedLayout(layout) {
  if (!recipe) return layout;
  const out = recoloured(layout, recipe.recolour);
  const rules = { gridcolor: recipe.grid, zerolinecolor: recipe.grid, linecolor: recipe.grid };
  out.paper_bgcolor = recipe.paper;
  out.plot_bgcolor = recipe.paper;
  out.font = { ...out.font, color: recipe.ink };
  out.legend = { ...out.legend, bgcolor: recipe.legend, bordercolor: recipe.grid };
  for (const key of Object.keys(out)) {
    if (AXIS.test(key)) out[key] = { ...out[key], ...rules };
  }
  if (out.scene) {
    const scene = { ...out.scene };
    for (const axis of ["xaxis", "yaxis", "zaxis"]) {
      scene[axis] = { ...scene[axis], ...rules, backgroundcolor: recipe.paper };
    }
    out.scene = scene;
  }
  return out;
}

/** `data` (a figure's traces) in the current theme: its colours, the surface's scale, the runs' lines. */
export function themedData(data) {
  if (!recipe) return data;
  return data.map((trace) => {
    const out = recoloured(trace, recipe.recolour);
    if (recipe.scale && ["contour", "surface"].includes(out.type)) out.colorscale = recipe.scale;
    if (Number.isInteger(trace.meta?.run)) {
      if (out.line?.width) out.line = { ...out.line, width: out.line.width * recipe.lines };
      if (out.marker?.size) out.marker = { ...out.marker, size: out.marker.size * recipe.lines };
    }
    return out;
  });
}
