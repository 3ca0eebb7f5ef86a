// The console's frame: its language, signing in with an APPCODE, and the three pages.
import { appcode, call, showError, signIn, signOut } from "./api.js";
import { initDesigner, listTemplates } from "./designer.js";
import { applyLanguage, setHtml, setLanguage } from "./i18n.js";
import { initJobs, watchJobs } from "./jobs.js";
import { initTry } from "./try.js";

const $ = (id) => document.getElementById(id);

function show(page) {
  for (const section of document.querySelectorAll(".page")) section.hidden = section.id !== `page-${page}`;
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.page === page);
  watchJobs(page === "jobs");
  if (page === "designer") listTemplates();
  if (page !== "signin") location.hash = page;
}

function signedIn() {
  $("tabs").hidden = false;
  $("who").hidden = false;
  setHtml($("who-code"), "who.app", { code: appcode().slice(0, 6) });
  const page = location.hash.slice(1);
  show(["try", "designer", "jobs"].includes(page) ? page : "try");
}

async function start() {
  applyLanguage();
  for (const b of document.querySelectorAll("#lang [data-lang]")) b.addEventListener("click", () => setLanguage(b.dataset.lang));
  initTry();
  initDesigner();
  initJobs();
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => show(b.dataset.page));
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    signIn($("appcode").value.trim(), $("remember").checked);
    try {
      await call("GET", "/v1/status");   // a cheap call that checks the code
      $("signin-error").hidden = true;
      signedIn();
    } catch (e) {
      signOut();
      showError($("signin-error"), e);
    }
  });
  $("sign-out").addEventListener("click", () => {
    signOut();
    $("tabs").hidden = true;
    $("who").hidden = true;
    show("signin");
  });
  if (appcode()) signedIn();
  else show("signin");
}

start();
