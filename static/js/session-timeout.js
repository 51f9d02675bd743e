// Warns before the idle timeout ends a session and lets the person extend it (WCAG 2.2.1).
// The server ends idle sessions on its own (enrollment/accounts/sessions.py); this script only
// tells the person in time. Without JavaScript the page says how long a session lasts.
(function () {
  "use strict";
  var root = document.querySelector("[data-session-idle]");
  if (!root || !window.HTMLDialogElement) return;
  var idle = Number(root.dataset.sessionIdle) * 1000;
  if (!(idle >= 60000)) return; // not a plausible timeout: never send anyone away by mistake
  var warn = Math.min(Number(root.dataset.sessionWarn) * 1000, idle - 1000);
  var dialog = root.querySelector("dialog");
  var status = root.querySelector("[data-session-status]");
  var warnTimer = null;
  var endTimer = null;

  function toLogin() {
    window.location.href = root.dataset.sessionLogin + "?next=" + encodeURIComponent(window.location.pathname);
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(function () {
      if (!dialog.open) dialog.showModal();
    }, idle - warn);
    endTimer = window.setTimeout(toLogin, idle);
  }

  root.querySelector("[data-session-extend-button]").addEventListener("click", function () {
    var token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(root.dataset.sessionExtend, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) return toLogin();
      dialog.close();
      status.textContent = status.dataset.extended || "OK";
      schedule();
    }, toLogin);
  });
  // Requests made by htmx reach the server and move its idle expiry: so does the timer.
  document.body.addEventListener("htmx:afterRequest", schedule);
  schedule();
})();
