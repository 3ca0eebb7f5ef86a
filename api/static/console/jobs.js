// The "Jobs" page: the app's latest jobs (click one for its result), the queues and the workers.
import { call, showError } from "./api.js";
import { locale, onLanguage, serviceArgs, setHtml, setText } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let timer = null;

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString(locale()) : "";
}

export async function refreshJobs() {
  $("jobs-error").hidden = true;
  try {
    const [status, { jobs }] = await Promise.all([call("GET", "/v1/status"), call("GET", "/v1/jobs?limit=50")]);
    const s = $("jobs-status");
    s.replaceChildren();
    for (const [name, depth] of Object.entries(status.queues)) {
      const span = document.createElement("span");
      span.className = "queue";
      span.dataset.queue = name;
      setHtml(span, "jobs.waiting", { queue: { t: `queue.${name}` }, depth });
      s.append(span);
    }
    const workers = document.createElement("span");
    workers.id = "jobs-workers";
    setHtml(workers, "jobs.workers", { count: status.workers_alive });
    s.append(workers);

    const body = $("jobs-table").tBodies[0];
    const open = new Set([...body.querySelectorAll("tr.detail:not([hidden])")].map((tr) => tr.dataset.id));
    body.replaceChildren();
    for (const job of jobs) {
      const row = document.createElement("tr");
      row.className = "job";
      row.dataset.id = job.request_id;
      const id = cell("");
      id.innerHTML = `<code></code>`;
      id.firstChild.textContent = job.request_id;
      const service = setText(cell(""), "try.service_option", serviceArgs(job.service));
      const queue = setText(cell(""), `queue.${job.queue}`);
      const state = setText(cell("", job.status), `status.${job.status}`);
      if (job.error) {
        // The status word follows the language; the error's code is the API's.
        state.textContent = "";
        const word = setText(document.createElement("span"), `status.${job.status}`);
        state.append(word, ` (${job.error.code})`);
      }
      row.append(cell(when(job.created_at)), service, queue, state, cell(when(job.finished_at)), id);
      const detail = document.createElement("tr");
      detail.className = "detail";
      detail.dataset.id = job.request_id;
      const td = document.createElement("td");
      td.colSpan = 6;
      const pre = document.createElement("pre");
      pre.className = "json";
      pre.textContent = JSON.stringify(job.error ?? job.result, null, 2);
      td.append(pre);
      detail.append(td);
      detail.hidden = !open.has(job.request_id);
      row.addEventListener("click", () => { detail.hidden = !detail.hidden; });
      body.append(row, detail);
    }
    if (!jobs.length) {
      const row = document.createElement("tr");
      row.append(setText(cell(""), "jobs.none"));
      row.firstChild.colSpan = 6;
      body.append(row);
    }
  } catch (e) {
    showError($("jobs-error"), e);
  }
}

export function initJobs() {
  $("jobs-refresh").addEventListener("click", refreshJobs);
  onLanguage(() => { if (timer) refreshJobs(); });   // the dates, written in the language's way
}

/** Refresh every few seconds while the page is shown. */
export function watchJobs(on) {
  clearInterval(timer);
  timer = null;
  if (on) {
    refreshJobs();
    timer = setInterval(refreshJobs, 5000);
  }
}
