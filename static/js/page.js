/* Behaviour every page may use, declared with data attributes instead of inline handlers,
   so that the Content-Security-Policy can forbid inline script:
   - data-autosubmit on a select: submit its form when it changes;
   - data-confirm="text" on a form: ask before submitting;
   - data-clear-cell on a button: empty the table cell it is in (the entries panel);
   - data-tick-all on a checkbox: tick every enabled proposal box of the bulk form. */
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches("[data-autosubmit]") && target.form) target.form.submit();
  if (target.matches("[data-tick-all]")) {
    document.querySelectorAll("input[name=proposals][form=bulk-execute]").forEach(function (box) {
      if (!box.disabled) box.checked = target.checked;
    });
  }
});
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
}, true);
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-clear-cell]");
  if (button) button.closest("td").innerHTML = "";
});
