// The "Try a service" page: a picture, a service and its options; the answer as JSON and as boxes.
import { call, dropZone, readPicture, showError } from "./api.js";
import { boxesOf, drawBoxes } from "./boxes.js";

const $ = (id) => document.getElementById(id);
const SIDED = ["ocr_idcard", "ocr_driver_license", "ocr_vehicle_license"];
let picture = null;

/** The option controls of a service: each writes its key into the configure JSON. */
function optionControls(service) {
  const box = $("try-options");
  box.replaceChildren();
  const add = (label, control, key, read) => {
    const wrap = document.createElement("label");
    wrap.append(label, control);
    box.append(wrap);
    control.addEventListener("change", () => setOption(key, read(control)));
    setOption(key, read(control));
  };
  const select = (id, values) => {
    const s = document.createElement("select");
    s.id = id;
    for (const [value, text] of values) s.add(new Option(text, value));
    return s;
  };
  for (const key of ["side", "format", "multi_crop", "template_id"]) setOption(key, undefined);
  if (SIDED.includes(service)) {
    add("Side", select("try-side", [["face", "face (front)"], ["back", "back"]]), "side", (c) => c.value);
  } else if (service === "ocr_table_parse") {
    add("Format", select("try-format", [["json", "json"], ["html", "html"]]), "format", (c) => c.value);
  } else if (service === "ocr_plate") {
    const c = document.createElement("input");
    c.type = "checkbox";
    add("Several plates (multi_crop)", c, "multi_crop", (x) => (x.checked ? true : undefined));
  } else if (service === "ocr_template" || service === "ocr_sdt") {
    const s = select("try-template", []);
    add("Template (published)", s, "template_id", (c) => c.value || undefined);
    call("GET", "/v1/templates").then(({ templates }) => {
      for (const t of templates.filter((t) => t.published)) s.add(new Option(t.name || t.template_id, t.template_id));
      setOption("template_id", s.value || undefined);
    }).catch((e) => showError($("try-error"), e));
  }
}

function currentConfigure() {
  const text = $("try-configure").value.trim();
  if (!text) return {};
  const value = JSON.parse(text);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("configure must be a JSON object");
  return value;
}

function setOption(key, value) {
  let configure;
  try { configure = currentConfigure(); } catch { configure = { evidence: true }; }
  if (value === undefined) delete configure[key];
  else configure[key] = value;
  $("try-configure").value = JSON.stringify(configure);
}

async function run() {
  const error = $("try-error");
  error.hidden = true;
  let configure;
  try {
    configure = currentConfigure();
  } catch (e) {
    return showError(error, new Error(`configure is not a JSON object (${e.message})`));
  }
  if (configure.evidence === undefined) configure.evidence = true;
  const service = $("try-service").value;
  $("try-run").disabled = true;
  $("try-info").textContent = `calling ${service}…`;
  const started = performance.now();
  try {
    const answer = await call("POST", `/api/predict/${service}`, { image: picture.base64, configure });
    $("try-json").textContent = JSON.stringify(answer, null, 2);
    const boxes = boxesOf(answer);
    drawBoxes($("try-boxes"), boxes, picture.image.naturalWidth, picture.image.naturalHeight);
    $("try-info").textContent = `${service}: ${boxes.length} boxes, ${Math.round(performance.now() - started)} ms`;
  } catch (e) {
    showError(error, e);
    $("try-json").textContent = e.body ? JSON.stringify(e.body, null, 2) : "";
    $("try-boxes").replaceChildren();
    $("try-info").textContent = "";
  } finally {
    $("try-run").disabled = false;
  }
}

export async function initTry() {
  const document_ = await fetch("/openapi.json").then((r) => r.json());
  const services = document_.paths["/api/predict/{service}"].post.parameters
    .find((p) => p.name === "service").schema.enum;
  const select = $("try-service");
  for (const s of services) select.add(new Option(s, s));
  select.value = "ocr_general";
  select.addEventListener("change", () => optionControls(select.value));
  optionControls(select.value);
  dropZone($("try-drop"), $("try-file"), async (file) => {
    $("try-error").hidden = true;
    try {
      picture = await readPicture(file);
    } catch (e) {
      return showError($("try-error"), e);
    }
    $("try-image").src = picture.image.src;
    $("try-boxes").replaceChildren();
    $("try-json").textContent = "";
    $("try-run").disabled = false;
    $("try-info").textContent = `${file.name}: ${picture.image.naturalWidth} × ${picture.image.naturalHeight}`;
  });
  $("try-run").addEventListener("click", run);
}
