// The "Try a service" page: a picture (or a PDF, a multi-page TIFF, a HEIC file), a service and its
// options; the answer as JSON and as boxes, page by page for a file of several pages; a table's
// answer downloaded as xlsx or csv.
import { ApiError, call, dropZone, fileToBase64, loadImage, showError } from "./api.js";
import { boxesOf, drawBoxes } from "./boxes.js";
import { ConsoleError, SERVICE_ORDER, has, serviceArgs, setPlain, setText } from "./i18n.js";

const $ = (id) => document.getElementById(id);
// Statuses of an answer that refuse the file itself (462: not a picture the API reads, 413: too
// large): the file is then let go, so that the next run cannot send it (or the one before) again.
const REFUSED = [413, 462];
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

let services = {};           // path name -> {options: {key: [values] | "bool" | "int" | "str" | "list"}}
let picture = null;          // the chosen file: {name, base64, image (null: no preview), kind, size, url}
let shown = null;            // the answer shown: {answer, pages, page, service, configure, picture}

// --- the service and its options ------------------------------------------------------------

/** The option controls of a service, made from its options: each writes its key into the
 * configure JSON. */
function optionControls(service) {
  const box = $("try-options");
  box.replaceChildren();
  for (const s of Object.values(services)) for (const key of Object.keys(s.options)) setOption(key, undefined);
  const add = (key, control, read, check = false) => {
    const wrap = document.createElement("label");
    if (check) wrap.className = "check";
    const words = document.createElement("span");
    if (has(`opt.${key}`)) setText(words, `opt.${key}`);
    else setPlain(words, key);
    if (check) wrap.append(control, " ", words);
    else wrap.append(words, " ", control);
    box.append(wrap);
    control.addEventListener("change", () => setOption(key, read(control)));
    setOption(key, read(control));
  };
  for (const [key, spec] of Object.entries(services[service]?.options || {})) {
    const id = `try-${key.replace(/_/g, "-")}`;
    if (key === "template_id") {
      const s = document.createElement("select");
      s.id = "try-template";
      add(key, s, (c) => c.value || undefined);
      call("GET", "/v1/templates").then(({ templates }) => {
        for (const t of templates.filter((t) => t.published)) s.add(new Option(t.name || t.template_id, t.template_id));
        setOption("template_id", s.value || undefined);
      }).catch((e) => showError($("try-error"), e));
    } else if (Array.isArray(spec)) {
      const s = document.createElement("select");
      s.id = id;
      // A table's json first: the answer the page can show and turn into csv itself.
      const values = key === "format" ? ["json", ...spec.filter((v) => v !== "json")] : spec;
      for (const value of values) {
        const option = new Option(value, value);
        if (has(`opt.${key}.${value}`)) setText(option, `opt.${key}.${value}`);
        s.add(option);
      }
      add(key, s, (c) => c.value);
    } else if (spec === "bool") {
      const c = document.createElement("input");
      c.type = "checkbox";
      c.id = id;
      add(key, c, (x) => (x.checked ? true : undefined), true);
    } else if (spec === "int") {
      const c = document.createElement("input");
      c.type = "number";
      c.id = id;
      add(key, c, (x) => (x.value === "" ? undefined : Number(x.value)));
    }
  }
}

function currentConfigure() {
  const text = $("try-configure").value.trim();
  if (!text) return {};
  const value = JSON.parse(text);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ConsoleError("try.configure_object");
  return value;
}

function setOption(key, value) {
  let configure;
  try { configure = currentConfigure(); } catch { configure = { evidence: true }; }
  if (value === undefined) delete configure[key];
  else configure[key] = value;
  $("try-configure").value = JSON.stringify(configure);
}

// --- the file -----------------------------------------------------------------------------

/** What a file is by its first bytes, of the kinds the API reads and a browser may not show. */
function sniff(head) {
  const text = String.fromCharCode(...head);
  if (text.startsWith("%PDF-")) return "PDF";
  if (text.startsWith("II*\0") || text.startsWith("MM\0*")) return "TIFF";
  if (text.slice(4, 8) === "ftyp") {
    const brand = text.slice(8, 12);
    if (["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"].includes(brand)) return "HEIC";
    if (["avif", "avis"].includes(brand)) return "AVIF";
  }
  return null;
}

/** A chosen file as base64 (what the API takes) and as a picture when the browser can show it.
 * A PDF, TIFF, HEIC or AVIF file the browser cannot show is sent without a preview; anything else the
 * browser cannot show is refused here. */
async function readFile(file) {
  const kind = sniff(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
  const base64 = await fileToBase64(file);
  const url = URL.createObjectURL(file);
  const chosen = { name: file.name, base64, image: null, kind, size: file.size, url };
  if (kind !== "PDF") {
    try {
      chosen.image = await loadImage(url);
    } catch {
      if (!kind) {
        URL.revokeObjectURL(url);
        throw new ConsoleError("try.refused_browser", { name: file.name });
      }
    }
  }
  return chosen;
}

/** Let go of the chosen file and of the answer shown: nothing can be sent until another is chosen. */
function clearSelection() {
  if (picture) URL.revokeObjectURL(picture.url);
  picture = null;
  shown = null;
  $("try-file").value = "";
  $("try-run").disabled = true;
  $("try-image").removeAttribute("src");
  $("try-stage").hidden = true;
  $("try-no-preview").hidden = true;
  $("try-boxes").replaceChildren();
  $("try-json").textContent = "";
  $("try-pages").hidden = true;
  $("try-page-list").replaceChildren();
  $("try-downloads").hidden = true;
  setPlain($("try-download-info"), "");
  setPlain($("try-info"), "");
}

async function choose(file) {
  $("try-error").hidden = true;
  clearSelection();
  let chosen;
  try {
    chosen = await readFile(file);
  } catch (e) {
    return showError($("try-error"), e);
  }
  picture = chosen;
  if (chosen.image) {
    $("try-image").src = chosen.url;
    $("try-stage").hidden = false;
    setText($("try-info"), "try.file", { name: chosen.name, width: chosen.image.naturalWidth, height: chosen.image.naturalHeight });
  } else {
    setText($("try-no-preview"), "try.no_preview", { kind: chosen.kind });
    $("try-no-preview").hidden = false;
    setText($("try-info"), "try.file_no_preview", { name: chosen.name, kind: chosen.kind, size: Math.ceil(chosen.size / 1024) });
  }
  $("try-run").disabled = false;
}

// --- the answer ---------------------------------------------------------------------------

async function run() {
  const error = $("try-error");
  error.hidden = true;
  if (!picture) return;
  let configure;
  try {
    configure = currentConfigure();
  } catch (e) {
    return showError(error, new ConsoleError("try.bad_configure", { message: e.message }));
  }
  if (configure.evidence === undefined) configure.evidence = true;
  const service = $("try-service").value;
  const sent = picture;
  $("try-run").disabled = true;
  setText($("try-info"), "try.calling", { service });
  const started = performance.now();
  try {
    const answer = await call("POST", `/api/predict/${service}`, { image: sent.base64, configure });
    if (picture !== sent) return;                   // another file was chosen meanwhile
    show({ answer, service, configure, picture: sent, ms: Math.round(performance.now() - started) });
  } catch (e) {
    if (picture !== sent) return;
    if (e instanceof ApiError && REFUSED.includes(e.status)) {
      clearSelection();
      setText(error, "try.refused_api", { message: e.message });
      error.hidden = false;
      $("try-json").textContent = JSON.stringify(e.body, null, 2);
      return;
    }
    showError(error, e);
    $("try-json").textContent = e.body ? JSON.stringify(e.body, null, 2) : "";
    $("try-boxes").replaceChildren();
    $("try-downloads").hidden = true;
    setPlain($("try-info"), "");
  } finally {
    $("try-run").disabled = !picture;
  }
}

/** Show an answer: one page's as it is; a file of several pages' (`pages: [...]`) with a picker. */
function show({ answer, service, configure, picture: sent, ms }) {
  const pages = Array.isArray(answer.pages) ? answer.pages : null;
  shown = { answer, pages, page: 0, service, configure, picture: sent };
  const list = $("try-page-list");
  list.replaceChildren();
  $("try-pages").hidden = !pages;
  for (const [index, page] of (pages || []).entries()) {
    const button = setText(document.createElement("button"), "try.page", { n: index + 1 });
    button.className = `small page${page && page.success === false ? " failed" : ""}`;
    button.dataset.page = String(index);
    if (page && page.success === false) button.title = `${page.error_code}: ${page.error_msg}`;
    button.addEventListener("click", () => showPage(index));
    list.append(button);
  }
  showPage(0);
  if (pages) {
    const failed = pages.filter((p) => p && p.success === false).length;
    setText($("try-info"), "try.done_pages", { service, pages: pages.length, failed, ms });
  } else {
    setText($("try-info"), "try.done", { service, boxes: boxesOf(answer).length, ms });
  }
}

function pageAnswer() {
  return shown.pages ? shown.pages[shown.page] : shown.answer;
}

/** The JSON of page `index` (of a one-page answer: the answer), and its boxes over the picture
 * when the picture is that page: the browser shows a file's first page, and no PDF. */
function showPage(index) {
  shown.page = index;
  const one = pageAnswer() || {};
  for (const button of $("try-page-list").children) button.classList.toggle("active", button.dataset.page === String(index));
  $("try-json").textContent = JSON.stringify(one, null, 2);
  const image = shown.picture.image;
  const drawn = Boolean(image) && index === 0;
  $("try-stage").hidden = !drawn;
  const boxes = boxesOf(one);
  if (drawn) drawBoxes($("try-boxes"), boxes, image.naturalWidth, image.naturalHeight);
  else $("try-boxes").replaceChildren();
  const info = $("try-page-info");
  if (!shown.pages) setPlain(info, "");
  else if (one.success === false) setText(info, "try.page_failed", { n: index + 1, code: one.error_code, message: one.error_msg });
  else setText(info, "try.page_of", { n: index + 1, pages: shown.pages.length, boxes: boxes.length });
  info.classList.toggle("error-text", one.success === false);
  $("try-downloads").hidden = !(shown.service === "ocr_table_parse" && one.success !== false && one.tables !== undefined);
  setPlain($("try-download-info"), "");
}

// --- a table's answer as a file -----------------------------------------------------------

function csvField(value) {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The reference's json tables as CSV, as the API's format "csv" writes them (ocr_core/table_formats):
 * each table a full grid (a merged cell's text in its first place), tables parted by an empty line. */
export function tablesCsv(tables) {
  return tables.map((table) => {
    const cells = table.flat();
    const rows = Math.max(0, ...cells.map((c) => c.ey)), cols = Math.max(0, ...cells.map((c) => c.ex));
    const grid = Array.from({ length: rows }, () => Array(cols).fill(""));
    for (const c of cells) grid[c.sy][c.sx] = (c.text || []).join(" ");
    return grid.map((row) => (row.length === 1 && row[0] === "" ? '""' : row.map(csvField).join(",")) + "\r\n").join("");
  }).join("\r\n");
}

function base64Bytes(text) {
  const binary = atob(text.replace(/\s+/g, ""));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function save(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** Download the table answer shown as `format` (xlsx or csv): made here from a json answer (csv),
 * taken as it is when it was asked in that format, else asked again of the API in that format. */
async function download(format) {
  const info = $("try-download-info");
  const { service, configure, picture: sent, page, pages } = shown;
  const buttons = $("try-downloads").querySelectorAll("button");
  $("try-error").hidden = true;
  try {
    let { tables } = pageAnswer();
    if (!(format === "csv" && Array.isArray(tables)) && (configure.format || "json") !== format) {
      for (const b of buttons) b.disabled = true;
      setText(info, "try.preparing", { format });
      const { evidence, ...rest } = configure;
      const again = await call("POST", `/api/predict/${service}`, { image: sent.base64, configure: { ...rest, format } });
      const part = Array.isArray(again.pages) ? again.pages[page] : again;
      if (!part || part.success === false) throw new ApiError(part?.error_code ?? 464, part || {});
      tables = part.tables;
    }
    const blob = format === "xlsx" ? new Blob([base64Bytes(tables)], { type: XLSX })
      : new Blob(["\ufeff", Array.isArray(tables) ? tablesCsv(tables) : tables], { type: "text/csv;charset=utf-8" });
    const file = `${sent.name.replace(/\.[^.]*$/, "") || "table"}${pages ? `-page${page + 1}` : ""}.${format}`;
    save(blob, file);
    setText(info, "try.downloaded", { file });
  } catch (e) {
    setPlain(info, "");
    showError($("try-error"), e);
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

export async function initTry() {
  clearSelection();
  ({ services } = await fetch("/console/services.json").then((r) => r.json()));
  const names = [...SERVICE_ORDER.filter((s) => s in services), ...Object.keys(services).filter((s) => !SERVICE_ORDER.includes(s))];
  const select = $("try-service");
  for (const s of names) select.add(setText(new Option(s, s), "try.service_option", serviceArgs(s)));
  select.value = "ocr_general";
  select.addEventListener("change", () => optionControls(select.value));
  optionControls(select.value);
  dropZone($("try-drop"), $("try-file"), choose);
  $("try-run").addEventListener("click", run);
  $("try-download-xlsx").addEventListener("click", () => download("xlsx"));
  $("try-download-csv").addEventListener("click", () => download("csv"));
}
