// Calls to the ocrq API with the signed-in APPCODE, and the picture conversions the pages share.
import { ConsoleError, setPlain, setText, t } from "./i18n.js";

const KEY = "ocrq.appcode";

export function appcode() {
  return sessionStorage.getItem(KEY) || localStorage.getItem(KEY) || "";
}

export function signIn(code, remember) {
  sessionStorage.setItem(KEY, code);
  if (remember) localStorage.setItem(KEY, code);
  else localStorage.removeItem(KEY);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}

/** An error answer of the API: its contract code and message. */
export class ApiError extends Error {
  constructor(status, body) {
    super(`${body.error_code ?? status}: ${body.error_msg ?? "error"}`);
    this.status = status;
    this.body = body;
  }
}

export async function call(method, path, body) {
  const headers = { Authorization: `APPCODE ${appcode()}` };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let json;
  try {
    json = await response.json();
  } catch {
    json = { error_code: response.status, error_msg: response.statusText || t("api.not_json") };
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

/** Show `error` in `element`: an API's answer as its code and message (the API's words), an error
 * of the console in the console's language. */
export function showError(element, error) {
  if (error instanceof ConsoleError) setText(element, error.key, error.args);
  else if (error instanceof ApiError) setPlain(element, error.message);
  else setText(element, "api.error", { message: String(error.message || error) });
  element.hidden = false;
}

export function fileToBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function canvasToBase64(canvas) {
  return canvas.toDataURL("image/png").split(",", 2)[1];
}

export function loadImage(src) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new ConsoleError("api.cannot_show"));
    image.src = src;
  });
}

/** A picture file as base64 (what the API takes) and as an image element (what the page shows). */
export async function readPicture(file) {
  const base64 = await fileToBase64(file);
  const image = await loadImage(URL.createObjectURL(file));
  return { base64, image };
}

/** Wire a drop zone and its file input to `onFile`. */
export function dropZone(zone, input, onFile) {
  input.addEventListener("change", () => input.files[0] && onFile(input.files[0]));
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer.files[0]) onFile(e.dataTransfer.files[0]);
  });
}
