// The work list as a daily tool: keyboard use and figures that follow each action.
//   j / k   next / previous proposal      o (or Enter)  open the customer
//   e       execute (send) the proposal   s             skip it
//   p       postpone: focus its date      x             tick it for "Execute selected"
(function () {
  "use strict";
  var section = document.getElementById("followup-proposals");
  if (!section) return;

  function rows() {
    return Array.prototype.slice.call(section.querySelectorAll("tbody.proposal"));
  }
  function current() {
    return section.querySelector("tbody.proposal.kbd-current");
  }
  function select(row) {
    rows().forEach(function (r) { r.classList.remove("kbd-current"); });
    if (!row) return;
    row.classList.add("kbd-current");
    row.scrollIntoView({ block: "nearest" });
  }
  function click(row, selector) {
    var el = row && row.querySelector(selector);
    if (el) el.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = document.activeElement.tagName;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag)) return;
    var list = rows();
    if (!list.length) return;
    var row = current();
    var index = row ? list.indexOf(row) : -1;
    switch (event.key) {
      case "j": select(list[Math.min(index + 1, list.length - 1)]); break;
      case "k": select(list[Math.max(index - 1, 0)]); break;
      case "o": case "Enter":
        if (!row) return;
        window.location.href = row.querySelector("td.customer a").href; break;
      case "e": click(row, "form[action$='/execute/'] button[type=submit]"); break;
      case "s": click(row, "form[action$='/skip/'] button[type=submit]"); break;
      case "p":
        var date = row && row.querySelector("input[type=date]");
        if (date) { event.preventDefault(); date.focus(); }
        return;
      case "x":
        var box = row && row.querySelector("input[name=proposals]");
        if (box) box.checked = !box.checked;
        break;
      default: return;
    }
    event.preventDefault();
  });

  // A row executed, skipped or postponed stays the current row; its heading's count is
  // swapped in by the server (out of band), counted under the page's filters.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var row = target && target.id && document.getElementById(target.id);
    if (row && row.matches && row.matches("tbody.proposal")) row.classList.add("kbd-current");
  });
})();
