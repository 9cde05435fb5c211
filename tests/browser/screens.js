() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  }
  const shown = (node) => {
    for (let n = node; n && n !== document.body; n = n.parentElement) {
      const style = getComputedStyle(n);
      if (style.display === "none" || style.visibility === "hidden") return false;
      if (Number(style.opacity) === 0) return false;
    }
    return true;
  };
  const named = (hit) => (hit ? hit.id || hit.className?.baseVal || hit.className || hit.tagName : "nothing");
  const plots = [...document.querySelectorAll(".js-plotly-plot")].filter((n) => n.offsetParent && shown(n));
  // The part of `node`'s box its scrolling ancestors show (a panel scrolls a graph larger
  // than itself): only that part can be seen, or covered.
  const visible = (node, r) => {
    let { left, top, right, bottom } = r;
    for (let n = node.parentElement; n && n !== document.body; n = n.parentElement) {
      if (!/auto|scroll/.test(getComputedStyle(n).overflow)) continue;
      const c = n.getBoundingClientRect();
      left = Math.max(left, c.left); top = Math.max(top, c.top);
      right = Math.min(right, c.left + n.clientWidth); bottom = Math.min(bottom, c.top + n.clientHeight);
    }
    return { x: left, y: top, right, bottom, width: right - left, height: bottom - top };
  };
  for (const plot of plots) {
    const name = plot.id;
    const areas = [...plot.querySelectorAll(".draglayer .nsewdrag")];
    if (!areas.length) problems.push(`${name}: no plot area`);
    for (const area of areas) {
      area.scrollIntoView({ block: "nearest", inline: "nearest" });
      const whole = area.getBoundingClientRect();
      if (whole.width < 120 || whole.height < 90) {
        problems.push(`${name}: plot area ${Math.round(whole.width)}×${Math.round(whole.height)}`);
      }
      const r = visible(area, whole);
      if (r.width < 60 || r.height < 60) {
        problems.push(`${name}: ${Math.round(r.width)}×${Math.round(r.height)} of its plot area shown`);
        continue;
      }
      const inset = 3;
      const points = [
        [r.x + r.width / 2, r.y + r.height / 2], [r.x + inset, r.y + inset], [r.right - inset, r.y + inset],
        [r.x + inset, r.bottom - inset], [r.right - inset, r.bottom - inset],
      ];
      for (const [x, y] of points) {
        const hit = document.elementFromPoint(x, y);
        if (!hit || !plot.contains(hit)) {
          problems.push(`${name}: (${Math.round(x)}, ${Math.round(y)}) covered by ${named(hit)}`);
        }
      }
    }
    // Texts in the plot's own coordinates (the page may have scrolled between plots).
    const box = plot.getBoundingClientRect();
    const texts = [];
    // A legend taller than its room scrolls: entries cut by its box are not (all) shown.
    const legendBox = plot.querySelector(".legend .bg")?.getBoundingClientRect();
    for (const text of plot.querySelectorAll("svg text")) {
      // The cursor's dot of each run (inspector.js) rightly sits on another's at a shared point.
      if (!text.textContent.trim() || text.textContent.trim() === "●" || !shown(text)) continue;
      const r = text.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      if (legendBox && text.closest(".legend") && (r.bottom > legendBox.bottom + 1 || r.top < legendBox.top - 1)) continue;
      const at = { left: r.left - box.left, right: r.right - box.left, top: r.top - box.top, bottom: r.bottom - box.top };
      const label = text.textContent.trim().slice(0, 60);
      if (at.left < -1 || at.top < -1 || at.right > box.width + 1 || at.bottom > box.height + 1) {
        problems.push(`${name}: "${label}" goes past the plot's box`);
      }
      texts.push({ label, at });
    }
    // Two texts overlap when their boxes share more than a sliver (glyph boxes include leading).
    const slack = 2;
    for (let i = 0; i < texts.length; i += 1) {
      for (let j = i + 1; j < texts.length; j += 1) {
        const a = texts[i].at;
        const b = texts[j].at;
        const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (across > slack && down > slack) {
          problems.push(`${name}: "${texts[i].label}" overlaps "${texts[j].label}"`);
        }
      }
    }
  }
  window.scrollTo(0, 0);
  for (const node of document.querySelectorAll(".backprop")) node.scrollTo(0, 0);
  return problems;
}
