// The "Jobs" page: the app's latest jobs (click one for its result), the queues and the workers.
import { call, showError } from "./api.js";

const $ = (id) => document.getElementById(id);
let timer = null;

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
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
      span.innerHTML = `${name} queue: <b>${depth}</b> waiting`;
      s.append(span);
    }
    const workers = document.createElement("span");
    workers.id = "jobs-workers";
    workers.innerHTML = `workers alive: <b>${status.workers_alive}</b>`;
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
      row.append(cell(when(job.created_at)), cell(job.service), cell(job.queue),
        cell(job.status + (job.error ? ` (${job.error.code})` : ""), job.status), cell(when(job.finished_at)), id);
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
      row.append(cell("no jobs yet (they are kept for the result retention)"));
      row.firstChild.colSpan = 6;
      body.append(row);
    }
  } catch (e) {
    showError($("jobs-error"), e);
  }
}

export function initJobs() {
  $("jobs-refresh").addEventListener("click", refreshJobs);
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
