// driftlab review app: keyboard shortcuts and the reviewer's name.
// Served as a file so the Content-Security-Policy can forbid inline script.
(function () {
  "use strict";
  var name = document.getElementById("reviewer");
  var nameForm = document.getElementById("reviewer-form");
  if (nameForm) { nameForm.addEventListener("submit", function (e) { e.preventDefault(); }); }
  if (name && !name.value) {
    try { name.value = window.localStorage.getItem("driftlab-reviewer") || ""; } catch (e) { /* storage off */ }
  }
  // Every decide/correct form carries the reviewer's name from the one field.
  var forms = document.querySelectorAll("form.decide, form.correct");
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("submit", function (e) {
      if (!name) { return; }
      if (!name.value.trim()) {
        e.preventDefault();
        name.focus();
        name.setCustomValidity("Your name is recorded with each decision");
        name.reportValidity();
        return;
      }
      try { window.localStorage.setItem("driftlab-reviewer", name.value.trim()); } catch (err) { /* storage off */ }
      var copy = this.querySelector("input.reviewer-copy");
      if (copy) { copy.value = name.value.trim(); }
    });
  }
  if (name) { name.addEventListener("input", function () { name.setCustomValidity(""); }); }

  var flags = Array.prototype.slice.call(document.querySelectorAll("article.flag"));
  var current = -1;
  function select(k) {
    if (!flags.length) { return; }
    k = Math.max(0, Math.min(flags.length - 1, k));
    if (current >= 0) { flags[current].classList.remove("current"); }
    current = k;
    flags[k].classList.add("current");
    flags[k].focus({ preventScroll: true });
    flags[k].scrollIntoView({ block: "nearest" });
  }
  // After a decision the server redirects to #flag-<id>: carry on from there.
  if (location.hash.indexOf("#flag-") === 0) {
    for (var j = 0; j < flags.length; j++) {
      if ("#" + flags[j].id === location.hash) { select(j); break; }
    }
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) {
      if (e.key === "Escape") { t.blur(); }
      return;
    }
    var key = e.key;
    if (key === "j" || key === "ArrowDown") { select(current + 1); e.preventDefault(); return; }
    if (key === "k" || key === "ArrowUp") { select(current < 0 ? 0 : current - 1); e.preventDefault(); return; }
    if (key === "/") {
      var f = document.getElementById("f-show");
      if (f) { f.focus(); e.preventDefault(); }
      return;
    }
    if (current < 0) { return; }
    var flag = flags[current];
    if (key === "e") {
      var note = flag.querySelector("textarea[name=note]");
      if (note) { note.focus(); e.preventDefault(); }
      return;
    }
    var button = flag.querySelector("button[data-key='" + key + "']");
    if (button) { e.preventDefault(); button.form.requestSubmit(button); }
  });
})();
