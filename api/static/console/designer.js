// The template designer: a sample picture (turned upright here, on a canvas), anchor, field and
// table boxes drawn on it with the mouse, saved, tried, published; the app's templates listed.
import { ApiError, call, canvasToBase64, dropZone, loadImage, readPicture, showError } from "./api.js";
import { boxesOf, drawBoxes, svgElement } from "./boxes.js";
import { setAttr, setPlain, setText, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const MIN_BOX = 5;           // pixels of the picture: a smaller drag is a click, and no box is smaller
const GRIP = 7;              // pixels of the screen: how near a corner or column boundary takes hold of it

const state = {
  id: null,                  // the template's id once saved
  source: null,              // the picture as uploaded, before turning
  quarter: 0,                // quarter turns clockwise
  angle: 0,                  // and a small angle, degrees clockwise
  items: [],                 // {kind: anchor|field|table, name, text, box: [x, y, w, h], columns}
  selected: -1,
  mode: "anchor",
  dirty: false,
  counter: 0,
};
const canvas = () => $("dz-canvas");

// --- the picture and its turning ----------------------------------------------------------

function turn() {
  return ((state.quarter * 90 + state.angle) * Math.PI) / 180;
}

/** The size of the source turned by `radians`, and the map from source to canvas points. */
function geometry(radians) {
  const w = state.source.naturalWidth || state.source.width, h = state.source.naturalHeight || state.source.height;
  const c = Math.cos(radians), s = Math.sin(radians);
  const W = Math.round(Math.abs(w * c) + Math.abs(h * s)), H = Math.round(Math.abs(w * s) + Math.abs(h * c));
  const forward = ([x, y]) => [W / 2 + (x - w / 2) * c - (y - h / 2) * s, H / 2 + (x - w / 2) * s + (y - h / 2) * c];
  const back = ([X, Y]) => [w / 2 + (X - W / 2) * c + (Y - H / 2) * s, h / 2 - (X - W / 2) * s + (Y - H / 2) * c];
  return { w, h, W, H, forward, back };
}

function bake() {
  const g = geometry(turn());
  const cv = canvas();
  cv.width = g.W;
  cv.height = g.H;
  const ctx = cv.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, g.W, g.H);
  ctx.save();
  ctx.translate(g.W / 2, g.H / 2);
  ctx.rotate(turn());
  ctx.drawImage(state.source, -g.w / 2, -g.h / 2);
  ctx.restore();
}

/** Turn the picture; the boxes already drawn follow it. */
function setTurn(quarter, angle) {
  if (!state.source) return;
  const before = geometry(turn());
  state.quarter = ((quarter % 4) + 4) % 4;
  state.angle = angle;
  const after = geometry(turn());
  const move = (p) => after.forward(before.back(p));
  for (const item of state.items) {
    const [x, y, w, h] = item.box;
    const corners = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]].map(move);
    const xs = corners.map((p) => p[0]), ys = corners.map((p) => p[1]);
    const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
    if (item.columns) {
      const mid = y + h / 2;
      item.columns = item.columns.map((col) => {
        const [a, b] = [move([col.x0, mid])[0], move([col.x1, mid])[0]];
        return { ...col, x0: Math.min(a, b), x1: Math.max(a, b) };
      }).sort((p, q) => p.x0 - q.x0);
    }
    item.box = box.map(round);
  }
  bake();
  changed();
}

function round(v) {
  return Math.round(v * 10) / 10;
}

// --- drawing with the mouse ---------------------------------------------------------------

function pointer(event) {
  const rect = canvas().getBoundingClientRect();
  return [(event.clientX - rect.left) * (canvas().width / rect.width),
          (event.clientY - rect.top) * (canvas().height / rect.height)];
}

function itemAt([x, y], kinds) {
  let best = -1, area = Infinity;
  state.items.forEach((item, i) => {
    const [bx, by, bw, bh] = item.box;
    if ((!kinds || kinds.includes(item.kind)) && x >= bx && x <= bx + bw && y >= by && y <= by + bh && bw * bh < area) {
      best = i;
      area = bw * bh;
    }
  });
  return best;
}

function splitColumn(index, x) {
  const table = state.items[index];
  const at = table.columns.findIndex((c) => x > c.x0 + MIN_BOX && x < c.x1 - MIN_BOX);
  if (at < 0) return;
  const column = table.columns[at];
  table.columns.splice(at, 1, { label: column.label, x0: column.x0, x1: round(x) },
    { label: `col${table.columns.length + 1}`, x0: round(x), x1: column.x1 });
  changed();
}

/** Remove the boundary before column `k` of table `index`: the two columns become one, with the
 * left one's label. */
function removeBoundary(index, k) {
  const columns = state.items[index].columns;
  if (k < 1 || k >= columns.length) return;
  columns[k - 1].x1 = columns[k].x1;
  columns.splice(k, 1);
  state.selected = index;
  changed();
}

/** Remove column `k` from the list: its span goes to its left neighbour (the first's to its right). */
function removeColumn(index, k) {
  const columns = state.items[index].columns;
  if (columns.length < 2) return;
  if (k > 0) return removeBoundary(index, k);
  columns[1].x0 = columns[0].x0;
  columns.splice(0, 1);
  state.selected = index;
  changed();
}

/** Pixels of the picture per pixel of the screen. */
function perScreenPixel() {
  const rect = canvas().getBoundingClientRect();
  return rect.width ? canvas().width / rect.width : 1;
}

function corners([x, y, w, h]) {
  return { nw: [x, y], ne: [x + w, y], se: [x + w, y + h], sw: [x, y + h] };
}

function clamp(v, lo, hi) {
  return Math.min(Math.max(v, lo), hi);
}

/** The column boundary near `p` (of the selected table; in column mode, of any table). */
function boundaryAt(p, reach) {
  const others = state.mode === "column" ? state.items.map((item, i) => i).filter((i) => i !== state.selected) : [];
  for (const index of [state.selected, ...others]) {
    if (state.items[index]?.kind !== "table") continue;
    const { box: [, y, , h], columns } = state.items[index];
    if (p[1] < y || p[1] > y + h) continue;
    for (let k = 1; k < columns.length; k += 1) {
      if (Math.abs(p[0] - columns[k].x0) <= reach) return { index, column: k };
    }
  }
  return null;
}

/** How near a corner of `box`, inside it, takes hold of the corner: a third of a small box stays
 * for moving it. */
function cornerReach([, , w, h]) {
  return Math.min(GRIP * perScreenPixel(), w / 3, h / 3);
}

/** What a mouse down at `p` takes hold of: a corner of the selected box, a column boundary, the
 * selected box itself; or nothing, and then it draws. Only points inside the selected box take it,
 * so a box drawn right next to it is drawn, not a resize. */
function grabAt(p) {
  const selected = state.items[state.selected];
  const [x, y, w, h] = selected ? selected.box : [];
  const inside = selected && p[0] >= x && p[0] <= x + w && p[1] >= y && p[1] <= y + h;
  if (inside) {
    const reach = cornerReach(selected.box);
    for (const [corner, [cx, cy]] of Object.entries(corners(selected.box))) {
      if (Math.abs(p[0] - cx) <= reach && Math.abs(p[1] - cy) <= reach) return { kind: "corner", index: state.selected, corner };
    }
  }
  const boundary = boundaryAt(p, GRIP * perScreenPixel());
  if (boundary) return { kind: "boundary", ...boundary };
  if (inside) return { kind: "move", index: state.selected };
  return null;
}

const CURSORS = { nw: "nwse-resize", se: "nwse-resize", ne: "nesw-resize", sw: "nesw-resize" };

/** Move the item held by `hold` as the mouse, now at `p`, says; the picture's edges and a minimum size
 * bound it. A table's columns move with it, and scale with its width when it is resized. */
function dragTo(hold, p) {
  const item = state.items[hold.grab.index];
  const W = canvas().width, H = canvas().height;
  const [x, y, w, h] = hold.box;
  const dx = p[0] - hold.from[0], dy = p[1] - hold.from[1];
  if (hold.grab.kind === "boundary") {
    const columns = item.columns, k = hold.grab.column;
    columns[k - 1].x1 = columns[k].x0 = round(clamp(p[0], columns[k - 1].x0 + MIN_BOX, columns[k].x1 - MIN_BOX));
    return;
  }
  let map;
  if (hold.grab.kind === "move") {
    const mx = clamp(dx, -x, W - x - w), my = clamp(dy, -y, H - y - h);
    item.box = [x + mx, y + my, w, h].map(round);
    map = (v) => round(v + mx);
  } else {
    const corner = hold.grab.corner;
    const wide = item.columns ? MIN_BOX * item.columns.length : MIN_BOX;
    let [left, top, right, bottom] = [x, y, x + w, y + h];
    if (corner.includes("w")) left = clamp(left + dx, 0, right - wide); else right = clamp(right + dx, left + wide, W);
    if (corner.includes("n")) top = clamp(top + dy, 0, bottom - MIN_BOX); else bottom = clamp(bottom + dy, top + MIN_BOX, H);
    item.box = [left, top, right - left, bottom - top].map(round);
    map = (v) => round(left + ((v - x) * (right - left)) / (w || 1));
  }
  if (item.columns) item.columns = hold.columns.map((c) => ({ ...c, x0: map(c.x0), x1: map(c.x1) }));
}

/** A click (a mouse down and up that did not move): select, or split a column in column mode. */
function click(at) {
  if (state.mode === "column") {
    const table = itemAt(at, ["table"]);
    if (table >= 0) { state.selected = table; splitColumn(table, at[0]); } else render();
  } else {
    state.selected = itemAt(at);
    render();
  }
}

function wireMouse() {
  const stage = $("dz-stage");
  let start = null;            // drawing a new box from here
  let hold = null;             // or dragging what grabAt took: {grab, from, box, columns, moved}
  stage.addEventListener("mousedown", (event) => {
    if (!state.source || event.button !== 0) return;
    event.preventDefault();
    const p = pointer(event);
    const grab = grabAt(p);
    if (grab) {
      const item = state.items[grab.index];
      hold = { grab, from: p, box: [...item.box], columns: item.columns?.map((c) => ({ ...c })), moved: false };
    } else start = p;
  });
  window.addEventListener("mousemove", (event) => {
    if (hold) {
      const p = pointer(event);
      // A hand's tremble during a click is not a drag.
      if (!hold.moved && Math.hypot(p[0] - hold.from[0], p[1] - hold.from[1]) < 3 * perScreenPixel()) return;
      hold.moved = true;
      dragTo(hold, p);
      drawOverlay();
      return;
    }
    if (!start) {
      if (state.source && stage.contains(event.target)) {
        const grab = grabAt(pointer(event));
        stage.style.cursor = !grab ? "" : grab.kind === "corner" ? CURSORS[grab.corner]
          : grab.kind === "boundary" ? "col-resize" : "move";
      }
      return;
    }
    const p = pointer(event);
    drawOverlay([Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.abs(p[0] - start[0]), Math.abs(p[1] - start[1])]);
  });
  window.addEventListener("mouseup", (event) => {
    if (hold) {
      const { grab, from, moved } = hold;
      hold = null;
      if (moved) { state.selected = grab.index; changed(); }
      else if (grab.kind === "boundary") { state.selected = grab.index; render(); }
      else click(from);
      return;
    }
    if (!start) return;
    const p = pointer(event);
    const box = [Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.abs(p[0] - start[0]), Math.abs(p[1] - start[1])];
    const from = start;
    start = null;
    const clampBox = (b) => {
      const x0 = Math.max(0, b[0]), y0 = Math.max(0, b[1]);
      const x1 = Math.min(canvas().width, b[0] + b[2]), y1 = Math.min(canvas().height, b[1] + b[3]);
      return [x0, y0, x1 - x0, y1 - y0].map(round);
    };
    if (box[2] < MIN_BOX || box[3] < MIN_BOX) return click(from);
    if (state.mode === "column") return drawOverlay();
    addItem(state.mode, clampBox(box));
  });
  // A double click on a column boundary removes it.
  stage.addEventListener("dblclick", (event) => {
    if (!state.source) return;
    const boundary = boundaryAt(pointer(event), GRIP * perScreenPixel());
    if (boundary) removeBoundary(boundary.index, boundary.column);
  });
}

function addItem(kind, box) {
  state.counter += 1;
  const item = { kind, box };
  if (kind === "anchor") {
    item.text = "";
    item.reading = true;
  } else if (kind === "field") {
    item.name = `field${state.counter}`;
  } else {
    item.name = `table${state.counter}`;
    item.columns = [{ label: "col1", x0: box[0], x1: round(box[0] + box[2]) }];
  }
  state.items.push(item);
  state.selected = state.items.length - 1;
  changed();
  if (kind === "anchor") readAnchor(item);
}

/** Read an anchor's text: its box cut from the canvas and set on a white page through ocr_general
 * (a crop alone, a few pixels round the text, is too small for the line finder to find a line). */
async function readAnchor(item) {
  const [x, y, w, h] = item.box;
  const crop = document.createElement("canvas");
  crop.width = Math.round(Math.max(400, w + 80));
  crop.height = Math.round(Math.max(200, h + 80));
  const ctx = crop.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, crop.width, crop.height);
  ctx.drawImage(canvas(), x, y, w, h, Math.round((crop.width - w) / 2), Math.round((crop.height - h) / 2), w, h);
  try {
    const answer = await call("POST", "/api/predict/ocr_general", { image: canvasToBase64(crop), configure: {} });
    const words = (answer.ret || []).slice().sort((a, b) => a.rect.top - b.rect.top || a.rect.left - b.rect.left);
    if (item.reading) item.text = words.map((r) => r.word).join("");
  } catch (e) {
    showError($("dz-error"), e);
  } finally {
    item.reading = false;
    changed(false);
  }
}

// --- what is shown --------------------------------------------------------------------------

function label(item) {
  return item.kind === "anchor" ? (item.reading ? "…" : item.text) : item.name;
}

function drawOverlay(draft) {
  const svg = $("dz-boxes");
  const cv = canvas();
  svg.setAttribute("viewBox", `0 0 ${cv.width} ${cv.height}`);
  svg.replaceChildren();
  const font = Math.max(12, cv.width / 75);
  state.items.forEach((item, i) => {
    const [x, y, w, h] = item.box;
    const group = svgElement("g", { class: `box ${item.kind}${i === state.selected ? " selected" : ""}`, "data-index": i });
    group.append(svgElement("rect", { x, y, width: w, height: h }));
    const text = svgElement("text", { x: x + 2, y: y - 4, "font-size": font });
    text.textContent = label(item);
    group.append(text);
    for (const [k, column] of (item.columns || []).entries()) {
      if (k > 0) group.append(svgElement("line", { x1: column.x0, y1: y, x2: column.x0, y2: y + h }));
      const t = svgElement("text", { x: column.x0 + 4, y: y + font + 2, "font-size": font * 0.8 });
      t.textContent = column.label;
      group.append(t);
    }
    if (i === state.selected) {
      const side = cornerReach(item.box);      // drawn where grabAt takes the corner: inside the box
      for (const [corner, [cx, cy]] of Object.entries(corners(item.box))) {
        group.append(svgElement("rect", { class: "handle", "data-corner": corner,
          x: corner.includes("w") ? cx : cx - side, y: corner.includes("n") ? cy : cy - side, width: side, height: side }));
      }
    }
    svg.append(group);
  });
  if (draft) {
    const group = svgElement("g", { class: "box draft" });
    group.append(svgElement("rect", { x: draft[0], y: draft[1], width: draft[2], height: draft[3] }));
    svg.append(group);
  }
}

function itemsList() {
  const list = $("dz-items");
  list.replaceChildren();
  state.items.forEach((item, i) => {
    const li = document.createElement("li");
    li.dataset.kind = item.kind;
    if (i === state.selected) li.className = "selected";
    const row = document.createElement("div");
    row.className = "item";
    const kind = document.createElement("span");
    kind.className = `kind ${item.kind}`;
    setText(kind, `kind.${item.kind}`);
    const name = document.createElement("input");
    name.className = "name";
    name.value = item.kind === "anchor" ? item.text : item.name;
    setAttr(name, "placeholder", item.kind === "anchor" ? (item.reading ? "dz.reading" : "dz.anchor_placeholder") : "dz.name_placeholder");
    name.addEventListener("input", () => {
      if (item.kind === "anchor") { item.text = name.value; item.reading = false; } else item.name = name.value;
      changed(false);
    });
    name.addEventListener("focus", () => { state.selected = i; drawOverlay(); });
    const remove = document.createElement("button");
    remove.className = "small remove";
    remove.textContent = "✕";
    setAttr(remove, "title", "dz.remove");
    remove.addEventListener("click", () => { state.items.splice(i, 1); state.selected = -1; changed(); });
    row.append(kind, name, remove);
    li.append(row);
    if (item.columns) {
      const cols = document.createElement("div");
      cols.className = "cols";
      item.columns.forEach((column, k) => {
        const input = document.createElement("input");
        input.className = "col";
        input.value = column.label;
        setAttr(input, "title", "dz.column_range", { x0: Math.round(column.x0), x1: Math.round(column.x1) });
        input.addEventListener("input", () => { column.label = input.value; changed(false); });
        cols.append(input);
        if (item.columns.length > 1) {
          const drop = document.createElement("button");
          drop.className = "small remove-col";
          drop.textContent = "×";
          setAttr(drop, "title", k ? "dz.remove_column" : "dz.remove_first_column");
          drop.addEventListener("click", () => removeColumn(i, k));
          cols.append(drop);
        }
      });
      li.append(cols);
    }
    list.append(li);
  });
}

function render() {
  drawOverlay();
  itemsList();
  const reading = state.items.some((i) => i.reading);
  $("dz-save").disabled = !state.source || reading;
  $("dz-publish").disabled = !state.id || reading;
  const words = !state.source ? null : reading ? "dz.reading_anchors" : state.dirty ? "dz.unsaved" : state.id ? "dz.saved" : null;
  if (words) setText($("dz-state"), words);
  else setPlain($("dz-state"), "");
  $("dz-state").dataset.state = reading ? "reading" : state.dirty ? "dirty" : state.id ? "saved" : "new";
}

/** Something changed; `relist` false keeps the list's inputs (and their focus) as they are. */
function changed(relist = true) {
  state.dirty = true;
  if (relist) render();
  else {
    drawOverlay();
    const reading = state.items.some((i) => i.reading);
    $("dz-save").disabled = !state.source || reading;
    $("dz-publish").disabled = !state.id || reading;
    setText($("dz-state"), reading ? "dz.reading_anchors" : "dz.unsaved");
    $("dz-state").dataset.state = reading ? "reading" : "dirty";
    // Anchors read while the list stays: bring their text into their inputs.
    [...$("dz-items").children].forEach((li, i) => {
      const item = state.items[i];
      const input = li.querySelector("input.name");
      if (item && item.kind === "anchor" && input && document.activeElement !== input) {
        input.value = item.text;
        setAttr(input, "placeholder", item.reading ? "dz.reading" : "dz.anchor_placeholder");
      }
    });
  }
}

// --- the API --------------------------------------------------------------------------------

function definition() {
  const box = (b) => b.map(round);
  return {
    name: $("dz-name").value.trim(),
    image: canvasToBase64(canvas()),
    anchors: state.items.filter((i) => i.kind === "anchor").map((i) => ({ text: i.text.trim(), box: box(i.box) })),
    fields: state.items.filter((i) => i.kind === "field").map((i) => ({ name: i.name.trim(), box: box(i.box) })),
    tables: state.items.filter((i) => i.kind === "table").map((i) => ({
      name: i.name.trim(), box: box(i.box),
      columns: i.columns.map((c) => ({ label: c.label.trim(), x0: round(c.x0), x1: round(c.x1) })) })),
  };
}

async function save() {
  $("dz-error").hidden = true;
  try {
    const body = definition();
    if (state.id) await call("PUT", `/v1/templates/${state.id}`, body);
    else state.id = (await call("POST", "/v1/templates", body)).template_id;
    state.dirty = false;
    setText($("dz-title"), "dz.title", { name: body.name || state.id });
    render();
    await listTemplates();
    return true;
  } catch (e) {
    showError($("dz-error"), e);
    return false;
  }
}

async function publish() {
  if ((state.dirty || !state.id) && !(await save())) return;
  try {
    await call("POST", `/v1/templates/${state.id}/publish`);
    await listTemplates();                 // listed as published when the state says so
    setText($("dz-state"), "dz.published");
    $("dz-state").dataset.state = "published";
  } catch (e) {
    showError($("dz-error"), e);
  }
}

async function tryDraft(file) {
  const error = $("dz-try-error");
  error.hidden = true;
  if ((state.dirty || !state.id) && !(await save())) return;
  try {
    const picture = await readPicture(file);
    $("dz-try-stage").hidden = false;
    $("dz-try-image").src = picture.image.src;
    $("dz-try-boxes").replaceChildren();
    $("dz-try-json").textContent = t("dz.reading");
    const answer = await call("POST", `/v1/templates/${state.id}/try`,
      { image: picture.base64, configure: { evidence: true } });
    $("dz-try-json").textContent = JSON.stringify(answer, null, 2);
    drawBoxes($("dz-try-boxes"), boxesOf(answer), picture.image.naturalWidth, picture.image.naturalHeight);
  } catch (e) {
    showError(error, e);
    $("dz-try-json").textContent = e instanceof ApiError ? JSON.stringify(e.body, null, 2) : "";
  }
}

export async function listTemplates() {
  const list = $("tpl-list");
  $("tpl-list-error").hidden = true;
  try {
    const { templates } = await call("GET", "/v1/templates");
    list.replaceChildren();
    for (const t of templates) {
      const li = document.createElement("li");
      li.dataset.id = t.template_id;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = t.name || t.template_id;
      name.title = t.template_id;
      const badge = document.createElement("span");
      badge.className = `badge${t.published ? " on" : ""}`;
      setText(badge, t.published ? (t.draft_changed ? "dz.badge_changed" : "dz.badge_published") : "dz.badge_draft");
      const edit = document.createElement("button");
      edit.className = "small edit";
      setText(edit, "dz.edit");
      edit.addEventListener("click", () => openTemplate(t.template_id));
      const del = document.createElement("button");
      del.className = "small delete";
      setText(del, "dz.delete");
      del.addEventListener("click", () => remove(t));
      li.append(name, badge, edit, del);
      list.append(li);
    }
    if (!templates.length) {
      const none = setText(document.createElement("li"), "dz.none");
      none.className = "muted";
      list.append(none);
    }
  } catch (e) {
    showError($("tpl-list-error"), e);
  }
}

async function remove(template) {
  if (!confirm(t("dz.confirm_delete", { name: template.name || template.template_id }))) return;
  try {
    await call("DELETE", `/v1/templates/${template.template_id}`);
    if (state.id === template.template_id) reset();
    await listTemplates();
  } catch (e) {
    showError($("tpl-list-error"), e);
  }
}

/** Load a saved template back into the designer. */
async function openTemplate(templateId) {
  try {
    const t = await call("GET", `/v1/templates/${templateId}`);
    reset();
    state.id = templateId;
    $("dz-name").value = t.name || "";
    setText($("dz-title"), "dz.title", { name: t.name || templateId });
    if (t.image) state.source = await loadImage(`data:image/png;base64,${t.image}`);
    state.items = [
      ...(t.anchors || []).map((a) => ({ kind: "anchor", text: a.text, box: a.box })),
      ...(t.fields || []).map((f) => ({ kind: "field", name: f.name, box: f.box })),
      ...(t.tables || []).map((tb) => ({ kind: "table", name: tb.name, box: tb.box,
        columns: (tb.columns || []).map((c) => ({ ...c })) })),
    ];
    state.counter = state.items.length;
    if (state.source) bake();
    state.dirty = false;
    render();
  } catch (e) {
    showError($("tpl-list-error"), e);
  }
}

function reset() {
  Object.assign(state, { id: null, source: null, quarter: 0, angle: 0, items: [], selected: -1, dirty: false, counter: 0 });
  $("dz-name").value = "";
  $("dz-angle").value = "0";
  setText($("dz-title"), "dz.title_new");
  $("dz-error").hidden = true;
  canvas().width = 0;
  canvas().height = 0;
  $("dz-try-stage").hidden = true;
  $("dz-try-json").textContent = "";
  render();
}

function setMode(mode) {
  state.mode = mode;
  for (const b of document.querySelectorAll("#dz-modes .mode")) b.classList.toggle("active", b.dataset.mode === mode);
}

export function initDesigner() {
  dropZone($("dz-drop"), $("dz-file"), async (file) => {
    $("dz-error").hidden = true;
    try {
      const { image } = await readPicture(file);
      const keep = state.items;
      reset();
      state.source = image;
      state.items = keep.length && confirm(t("dz.confirm_keep")) ? keep : [];
      bake();
      changed();
    } catch (e) {
      showError($("dz-error"), e);
    }
  });
  dropZone($("dz-try-drop"), $("dz-try-file"), tryDraft);
  $("dz-rot-left").addEventListener("click", () => setTurn(state.quarter - 1, state.angle));
  $("dz-rot-right").addEventListener("click", () => setTurn(state.quarter + 1, state.angle));
  $("dz-angle").addEventListener("change", () => setTurn(state.quarter, Number($("dz-angle").value) || 0));
  for (const b of document.querySelectorAll("#dz-modes .mode")) b.addEventListener("click", () => setMode(b.dataset.mode));
  $("dz-save").addEventListener("click", save);
  $("dz-publish").addEventListener("click", publish);
  $("tpl-new").addEventListener("click", reset);
  $("dz-name").addEventListener("input", () => changed(false));
  wireMouse();
  // Delete or Backspace removes the selected box (not while typing in a field).
  document.addEventListener("keydown", (event) => {
    if (!["Delete", "Backspace"].includes(event.key) || $("page-designer").hidden || state.selected < 0) return;
    if (["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName)) return;
    state.items.splice(state.selected, 1);
    state.selected = -1;
    changed();
  });
  render();
}

