// The boxes an answer carries (its `evidence`, and the reference's own rect/pos/center boxes),
// drawn as SVG over the picture they belong to.

const SVG = "http://www.w3.org/2000/svg";

function isPoint(p) {
  return Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === "number");
}

function rectPoints(left, top, width, height) {
  return [[left, top], [left + width, top], [left + width, top + height], [left, top + height]];
}

function turnedPoints(cx, cy, w, h, angle) {
  const a = (angle * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  return [[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]]
    .map(([x, y]) => [cx + x * c - y * s, cy + x * s + y * c]);
}

/** [{label, points, kind}] of an answer; kind "evidence" or "answer". */
export function boxesOf(answer) {
  const boxes = [];
  const evidence = answer && typeof answer.evidence === "object" ? answer.evidence : {};
  for (const [name, item] of Object.entries(evidence || {})) {
    const box = item && item.box;
    if (Array.isArray(box) && box.length >= 3 && box.every(isPoint)) {
      boxes.push({ label: name, points: box, kind: "evidence" });
    } else if (Array.isArray(box) && box.length === 4 && box.every((v) => typeof v === "number")) {
      boxes.push({ label: name, points: rectPoints(...box), kind: "evidence" });
    }
  }
  const walk = (value, key) => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, key));
    if (!value || typeof value !== "object") return;
    const label = value.word || value.text || key;
    const r = value.rect;
    if (r && ["left", "top", "width", "height"].every((k) => typeof r[k] === "number")) {
      boxes.push({ label, points: r.angle ? turnedPoints(r.left + r.width / 2, r.top + r.height / 2, r.width, r.height, r.angle)
        : rectPoints(r.left, r.top, r.width, r.height), kind: "answer" });
    }
    if (Array.isArray(value.pos) && value.pos.length >= 3 && value.pos.every((p) => p && typeof p.x === "number")) {
      boxes.push({ label, points: value.pos.map((p) => [p.x, p.y]), kind: "answer" });
    }
    if (value.center && value.size && typeof value.center.x === "number") {
      boxes.push({ label: key, points: turnedPoints(value.center.x, value.center.y, value.size.width,
        value.size.height, value.angle || 0), kind: "answer" });
    }
    for (const [k, v] of Object.entries(value)) {
      if (k !== "evidence" && k !== "rect" && k !== "pos") walk(v, k);
    }
  };
  walk(answer, "");
  return boxes;
}

export function svgElement(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, v);
  return element;
}

/** Replace what `svg` shows with `boxes` over a picture of width × height. */
export function drawBoxes(svg, boxes, width, height) {
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  const stroke = Math.max(2, width / 400);
  for (const box of boxes) {
    const group = svgElement("g", { class: `box ${box.kind}` });
    const polygon = svgElement("polygon", {
      points: box.points.map((p) => p.join(",")).join(" "), "stroke-width": stroke });
    const title = svgElement("title");
    title.textContent = box.label;
    polygon.append(title);
    group.append(polygon);
    if (box.label) {
      const [x, y] = box.points[0];
      const text = svgElement("text", { x, y: y - stroke * 2, "font-size": Math.max(12, width / 70) });
      text.textContent = box.label;
      group.append(text);
    }
    svg.append(group);
  }
}
