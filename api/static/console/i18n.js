// The console's words in English and Chinese: one dictionary per language, `t(key, args)` for
// strings made in JavaScript, and `data-i18n` attributes for those in the HTML (and on elements
// made in JavaScript, so that a switch of language rewrites them too):
//   data-i18n="key"             the element's text
//   data-i18n-html="key"        its HTML (the dictionary's own markup; args are escaped)
//   data-i18n-placeholder="key", data-i18n-title="key"
//   data-i18n-args='{"name": "x", "service": {"t": "svc.ocr_vin"}}'   {name} in the string; a
//                               {"t": key} value is itself translated.
// The language: the one chosen with the switch (kept in localStorage), else the first of the
// browser's preferred languages (navigator.languages) the console speaks, else English.

const KEY = "ocrq.lang";
export const LANGUAGES = ["zh", "en"];

// The services by their names in the reference (印刷文字识别-身份证识别 ...), in its order.
const SERVICES_ZH = {
  ocr_idcard: "身份证识别", ocr_driver_license: "驾驶证识别", ocr_vehicle_license: "行驶证识别",
  ocr_passport: "护照识别", ocr_business_license: "营业执照识别", ocr_bank_card: "银行卡识别",
  ocr_business_card: "名片识别", ocr_plate: "车牌识别", ocr_vin: "vin码识别", ocr_train_ticket: "火车票识别",
  ocr_official_seal: "公章识别", ocr_taxi_invoice: "出租车机打发票识别", ocr_household_register: "户口页识别",
  ocr_general: "通用文字识别", ocr_table_parse: "表格识别", ocr_template: "自定义模板识别",
  ocr_sdt: "自定义模板识别",
};
const SERVICES_EN = {
  ocr_idcard: "ID card", ocr_driver_license: "Driving licence", ocr_vehicle_license: "Vehicle licence",
  ocr_passport: "Passport", ocr_business_license: "Business licence", ocr_bank_card: "Bank card",
  ocr_business_card: "Business card", ocr_plate: "Number plate", ocr_vin: "VIN code", ocr_train_ticket: "Train ticket",
  ocr_official_seal: "Official seal", ocr_taxi_invoice: "Taxi invoice", ocr_household_register: "Household register",
  ocr_general: "General text", ocr_table_parse: "Table", ocr_template: "Custom template",
  ocr_sdt: "Custom template (ocr_sdt)",
};
export const SERVICE_ORDER = Object.keys(SERVICES_ZH);

const prefixed = (names) => Object.fromEntries(Object.entries(names).map(([k, v]) => [`svc.${k}`, v]));

const EN = {
  "app.title": "ocrq console",
  "app.console": "console",
  "tab.try": "Try a service",
  "tab.designer": "Templates",
  "tab.jobs": "Jobs",
  "who.app": "app <code>{code}</code>…",
  "who.signout": "sign out",
  "lang.switch": "Language",

  "signin.title": "Sign in",
  "signin.help": "Paste an APPCODE (made with <code>ocrq apps create</code>). It stays in this browser tab; tick the box to keep it after the tab closes.",
  "signin.remember": "remember on this computer",
  "signin.submit": "Sign in",

  "api.not_json": "answer is not JSON",
  "api.error": "error: {message}",
  "api.cannot_show": "the browser cannot show this picture",

  "try.title": "Try a service",
  "try.service": "Service",
  "try.service_option": "{name} ({path})",
  "try.configure": "configure (JSON)",
  "try.drop": "Drop a picture or a PDF here or <u>choose one</u>",
  "try.run": "Recognise",
  "try.calling": "calling {service}…",
  "try.done": "{service}: {boxes} boxes, {ms} ms",
  "try.done_pages": "{service}: {pages} pages, {failed} failed, {ms} ms",
  "try.file": "{name}: {width} × {height}",
  "try.file_no_preview": "{name}: {kind}, {size} KB",
  "try.no_preview": "No preview: the browser cannot show {kind} files. The answer is below, page by page.",
  "try.bad_configure": "configure is not a JSON object ({message})",
  "try.configure_object": "configure must be a JSON object",
  "try.refused_browser": "{name}: the browser cannot read this file as a picture, a PDF, a TIFF or a HEIC file. Choose another.",
  "try.refused_api": "{message}. The file was not accepted: choose another.",
  "try.pages": "Pages",
  "try.page": "page {n}",
  "try.page_failed": "page {n}: {code}: {message}",
  "try.page_of": "page {n} of {pages}: {boxes} boxes",
  "try.download_xlsx": "download xlsx",
  "try.download_csv": "download csv",
  "try.preparing": "asking for {format}…",
  "try.downloaded": "{file} downloaded",

  "opt.side": "Side",
  "opt.side.face": "face (front)",
  "opt.side.back": "back",
  "opt.format": "Format",
  "opt.format.json": "json",
  "opt.format.html": "html",
  "opt.format.xlsx": "xlsx (Excel)",
  "opt.format.csv": "csv",
  "opt.format.markdown": "markdown",
  "opt.multi_crop": "Several plates (multi_crop)",
  "opt.finance": "Financial statement (finance)",
  "opt.dir_assure": "Already upright (dir_assure)",
  "opt.line_less": "Without rule lines (line_less)",
  "opt.output_prob": "Confidences (output_prob)",
  "opt.min_size": "Smallest text, pixels (min_size)",
  "opt.template_id": "Template (published)",

  "dz.templates": "Templates",
  "dz.new": "new",
  "dz.title_new": "New template",
  "dz.title": "Template {name}",
  "dz.name": "Name",
  "dz.name_example": "物资入库单",
  "dz.sample": "Sample picture: drop or <u>choose</u>",
  "dz.rotate": "Rotate",
  "dz.rot_left": "90° anticlockwise",
  "dz.rot_right": "90° clockwise",
  "dz.angle": "small angle, degrees clockwise",
  "dz.draw": "Draw",
  "dz.column_help": "click inside a table to split a column; drag a boundary to move it, double-click it to remove it",
  "dz.help": "Anchors: fixed printed text (4 or more, spread over the page), read for you — correct it if needed. Fields: where a value is written. Tables: the body rows; then <em>column</em> and click to split columns. Drag a selected box to move it, its corners to resize it; drag a column boundary to move it, double-click it to remove it.",
  "dz.save": "Save",
  "dz.publish": "Publish",
  "dz.items": "Items",
  "dz.try": "Try the draft",
  "dz.try_drop": "Another picture: drop or <u>choose</u>",
  "dz.reading_anchors": "reading anchors…",
  "dz.unsaved": "unsaved changes",
  "dz.saved": "saved",
  "dz.published": "published",
  "dz.reading": "reading…",
  "dz.anchor_placeholder": "the printed text",
  "dz.name_placeholder": "name",
  "dz.remove": "remove",
  "dz.column_range": "column {x0}–{x1}",
  "dz.remove_column": "remove this column: the one on its left takes its place",
  "dz.remove_first_column": "remove this column: the next one takes its place",
  "dz.badge_draft": "draft",
  "dz.badge_published": "published",
  "dz.badge_changed": "published, draft changed",
  "dz.edit": "edit",
  "dz.delete": "delete",
  "dz.none": "none yet: draw one",
  "dz.confirm_delete": "Delete template \"{name}\"?",
  "dz.confirm_keep": "Keep the boxes already drawn?",
  "kind.anchor": "anchor",
  "kind.field": "field",
  "kind.table": "table",
  "kind.column": "column",

  "jobs.title": "Jobs",
  "jobs.refresh": "refresh",
  "jobs.created": "created",
  "jobs.service": "service",
  "jobs.queue": "queue",
  "jobs.status": "status",
  "jobs.finished": "finished",
  "jobs.request_id": "request id",
  "jobs.waiting": "{queue} queue: <b>{depth}</b> waiting",
  "jobs.workers": "workers alive: <b>{count}</b>",
  "jobs.none": "no jobs yet (they are kept for the result retention)",
  "queue.interactive": "interactive",
  "queue.bulk": "bulk",
  "status.queued": "queued",
  "status.running": "running",
  "status.succeeded": "succeeded",
  "status.failed": "failed",
  ...prefixed(SERVICES_EN),
};

const ZH = {
  "app.title": "ocrq 控制台",
  "app.console": "控制台",
  "tab.try": "试用服务",
  "tab.designer": "模板",
  "tab.jobs": "任务",
  "who.app": "应用 <code>{code}</code>…",
  "who.signout": "退出",
  "lang.switch": "语言",

  "signin.title": "登录",
  "signin.help": "粘贴 APPCODE（用 <code>ocrq apps create</code> 创建）。它只留在这个浏览器标签页里；勾选下面一项，关闭标签页后也保留。",
  "signin.remember": "在这台电脑上记住",
  "signin.submit": "登录",

  "api.not_json": "回答不是 JSON",
  "api.error": "错误：{message}",
  "api.cannot_show": "浏览器无法显示这张图片",

  "try.title": "试用服务",
  "try.service": "服务",
  "try.service_option": "{name}（{path}）",
  "try.configure": "configure（JSON）",
  "try.drop": "把图片或 PDF 拖到这里，或<u>选择文件</u>",
  "try.run": "识别",
  "try.calling": "正在调用 {service}…",
  "try.done": "{service}：{boxes} 个框，{ms} 毫秒",
  "try.done_pages": "{service}：共 {pages} 页，{failed} 页失败，{ms} 毫秒",
  "try.file": "{name}：{width} × {height}",
  "try.file_no_preview": "{name}：{kind}，{size} KB",
  "try.no_preview": "无法预览：浏览器不能显示 {kind} 文件。识别结果按页列在下方。",
  "try.bad_configure": "configure 不是 JSON 对象（{message}）",
  "try.configure_object": "configure 必须是 JSON 对象",
  "try.refused_browser": "{name}：浏览器无法把这个文件读作图片、PDF、TIFF 或 HEIC 文件。请另选一个。",
  "try.refused_api": "{message}。文件未被接受：请另选一个。",
  "try.pages": "页",
  "try.page": "第 {n} 页",
  "try.page_failed": "第 {n} 页：{code}: {message}",
  "try.page_of": "第 {n} 页，共 {pages} 页：{boxes} 个框",
  "try.download_xlsx": "下载 xlsx",
  "try.download_csv": "下载 csv",
  "try.preparing": "正在获取 {format}…",
  "try.downloaded": "已下载 {file}",

  "opt.side": "面",
  "opt.side.face": "正面（人像面）",
  "opt.side.back": "反面",
  "opt.format": "输出格式",
  "opt.format.json": "json",
  "opt.format.html": "html",
  "opt.format.xlsx": "xlsx（Excel）",
  "opt.format.csv": "csv",
  "opt.format.markdown": "markdown",
  "opt.multi_crop": "多个车牌（multi_crop）",
  "opt.finance": "财务报表（finance）",
  "opt.dir_assure": "方向已确定为正（dir_assure）",
  "opt.line_less": "无线条表格（line_less）",
  "opt.output_prob": "输出置信度（output_prob）",
  "opt.min_size": "最小文字，像素（min_size）",
  "opt.template_id": "模板（已发布）",

  "dz.templates": "模板",
  "dz.new": "新建",
  "dz.title_new": "新模板",
  "dz.title": "模板 {name}",
  "dz.name": "名称",
  "dz.name_example": "物资入库单",
  "dz.sample": "样张：拖到这里或<u>选择</u>",
  "dz.rotate": "旋转",
  "dz.rot_left": "逆时针 90°",
  "dz.rot_right": "顺时针 90°",
  "dz.angle": "小角度，顺时针，单位度",
  "dz.draw": "绘制",
  "dz.column_help": "在表格内单击以分列；拖动分隔线可移动它，双击可删除它",
  "dz.help": "锚点：固定的印刷文字（至少 4 个，分散在整页），会自动读出——必要时请改正。字段：填写内容的位置。表格：表体各行；然后选<em>列</em>，单击以分列。拖动选中的框可移动它，拖动它的角可改变大小；拖动列的分隔线可移动它，双击可删除它。",
  "dz.save": "保存",
  "dz.publish": "发布",
  "dz.items": "项目",
  "dz.try": "试用草稿",
  "dz.try_drop": "另一张图片：拖到这里或<u>选择</u>",
  "dz.reading_anchors": "正在读取锚点…",
  "dz.unsaved": "有未保存的修改",
  "dz.saved": "已保存",
  "dz.published": "已发布",
  "dz.reading": "读取中…",
  "dz.anchor_placeholder": "印刷的文字",
  "dz.name_placeholder": "名称",
  "dz.remove": "删除",
  "dz.column_range": "列 {x0}–{x1}",
  "dz.remove_column": "删除这一列：由左边一列补上",
  "dz.remove_first_column": "删除这一列：由下一列补上",
  "dz.badge_draft": "草稿",
  "dz.badge_published": "已发布",
  "dz.badge_changed": "已发布，草稿有改动",
  "dz.edit": "编辑",
  "dz.delete": "删除",
  "dz.none": "还没有模板：画一个吧",
  "dz.confirm_delete": "删除模板“{name}”？",
  "dz.confirm_keep": "保留已经画好的框吗？",
  "kind.anchor": "锚点",
  "kind.field": "字段",
  "kind.table": "表格",
  "kind.column": "列",

  "jobs.title": "任务",
  "jobs.refresh": "刷新",
  "jobs.created": "创建时间",
  "jobs.service": "服务",
  "jobs.queue": "队列",
  "jobs.status": "状态",
  "jobs.finished": "完成时间",
  "jobs.request_id": "请求 ID",
  "jobs.waiting": "{queue}队列：<b>{depth}</b> 个等待",
  "jobs.workers": "在线工作进程：<b>{count}</b>",
  "jobs.none": "还没有任务（任务在结果保留期内保存）",
  "queue.interactive": "交互",
  "queue.bulk": "批量",
  "status.queued": "排队中",
  "status.running": "运行中",
  "status.succeeded": "成功",
  "status.failed": "失败",
  ...prefixed(SERVICES_ZH),
};

export const DICTIONARIES = { en: EN, zh: ZH };
const listeners = [];

/** The language the browser prefers, of those the console speaks. */
export function preferred(languages = navigator.languages || [navigator.language]) {
  for (const tag of languages || []) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

export function language() {
  const chosen = localStorage.getItem(KEY);
  return LANGUAGES.includes(chosen) ? chosen : preferred();
}

/** The BCP 47 tag of the language, for <html lang> and dates. */
export function locale() {
  return language() === "zh" ? "zh-CN" : "en";
}

function fill(text, args, escape) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!args || !(name in args)) return whole;
    let value = args[name];
    if (value && typeof value === "object" && "t" in value) value = t(value.t);
    value = String(value);
    return escape ? escapeHtml(value) : value;
  });
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function lookup(key) {
  return DICTIONARIES[language()][key] ?? EN[key] ?? key;
}

/** The string `key` in the console's language, {name}s replaced by `args`. */
export function t(key, args) {
  return fill(lookup(key), args, false);
}

/** Whether the console has words for `key`. */
export function has(key) {
  return key in EN;
}

/** A service's name in the console's language (its path name when the console does not know it). */
export function serviceName(service) {
  const key = `svc.${service}`;
  return key in EN ? t(key) : service;
}

/** Args for "{name} (path)" that follow a switch of language. */
export function serviceArgs(service) {
  return { name: `svc.${service}` in EN ? { t: `svc.${service}` } : service, path: service };
}

function argsOf(element) {
  return element.dataset.i18nArgs ? JSON.parse(element.dataset.i18nArgs) : undefined;
}

/** Set an element's text to `key` (kept on it, so that a switch of language rewrites it). */
export function setText(element, key, args) {
  delete element.dataset.i18nHtml;
  element.dataset.i18n = key;
  if (args) element.dataset.i18nArgs = JSON.stringify(args);
  else delete element.dataset.i18nArgs;
  element.textContent = t(key, args);
  return element;
}

/** The same for a string with the dictionary's markup (<b>, <u>...); args are escaped. */
export function setHtml(element, key, args) {
  delete element.dataset.i18n;
  element.dataset.i18nHtml = key;
  if (args) element.dataset.i18nArgs = JSON.stringify(args);
  else delete element.dataset.i18nArgs;
  element.innerHTML = fill(lookup(key), args, true);
  return element;
}

/** Text that is not the console's own (an answer's message, a name): shown as it is. */
export function setPlain(element, text) {
  delete element.dataset.i18n;
  delete element.dataset.i18nHtml;
  delete element.dataset.i18nArgs;
  element.textContent = text;
  return element;
}

/** Set an element's title or placeholder to `key`, kept as setText keeps it. The args are shared
 * with its text: give them to an element without text of the console's (an input, a button's title). */
export function setAttr(element, attribute, key, args) {
  element.dataset[`i18n${attribute[0].toUpperCase()}${attribute.slice(1)}`] = key;
  if (args) element.dataset.i18nArgs = JSON.stringify(args);
  element.setAttribute(attribute, t(key, args));
  return element;
}

/** Write every marked element under `root` in the current language. */
export function applyLanguage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n, argsOf(el));
  for (const el of root.querySelectorAll("[data-i18n-html]")) el.innerHTML = fill(lookup(el.dataset.i18nHtml), argsOf(el), true);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder, argsOf(el));
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle, argsOf(el));
  document.documentElement.lang = locale();
  for (const button of document.querySelectorAll("[data-lang]")) {
    const on = button.dataset.lang === language();
    button.classList.toggle("active", on);
    button.setAttribute("aria-pressed", String(on));
  }
}

/** Switch to `lang` and remember it in this browser. */
export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) return;
  localStorage.setItem(KEY, lang);
  applyLanguage();
  for (const listener of listeners) listener(lang);
}

/** Call `listener` after every switch of language (for what data-i18n cannot say: dates...). */
export function onLanguage(listener) {
  listeners.push(listener);
}

/** An error of the console itself, in the console's language. */
export class ConsoleError extends Error {
  constructor(key, args) {
    super(t(key, args));
    this.key = key;
    this.args = args;
  }
}
