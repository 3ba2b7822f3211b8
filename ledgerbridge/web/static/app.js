// ledgerbridge: the little the pages need beyond HTML. Everything works without it except live progress.
(function () {
  "use strict";

  // "Select all" checkboxes tick every row checkbox of their table.
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      all.closest("table").querySelectorAll("tbody input[name=selected]").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });

  // A choice that filters the page (the reconciliation's level) applies at once; its form's button is the
  // fallback without script. Here, not in an onchange attribute: the Content-Security-Policy runs no inline code.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Forms that need a second thought (disconnect) ask before they go.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // "Mark as Exported" needs a selection: say so rather than posting nothing.
  document.querySelectorAll("[data-needs-selection]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!button.form.querySelector("input[name=selected]:checked")) {
        event.preventDefault();
        window.alert("Select the rows to mark as exported first.");
      }
    });
  });

  // A background job's progress: poll its JSON until it finishes, then reload to show the outcome.
  var panel = document.getElementById("job");
  if (!panel || panel.getAttribute("data-finished") === "true") { return; }
  var url = panel.getAttribute("data-job-url");
  function show(job) {
    panel.querySelector("[data-job-bar]").value = job.percent;
    panel.querySelector("[data-job-status]").textContent = job.status;
    panel.querySelector("[data-job-status]").className = "pill s-" + job.status;
    panel.querySelector("[data-job-count]").textContent = job.total ?
      job.done + " of " + job.total + " done" + (job.failed ? ", " + job.failed + " failed" : "") : "starting";
    panel.querySelector("[data-job-step]").textContent = job.step;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        show(job);
        if (job.finished) {
          var note = job.summary || ("Finished: " + job.kind.replace("_", " ") + ".");
          window.location.replace(window.location.pathname + "?" + (job.status === "done" ? "msg=" : "err=") +
            encodeURIComponent(note));
          return;
        }
        window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();
