/* The ledger entries workbench: the selection bar on the entries tab (count and summed
 * remaining amounts per currency and in LCY as entries are ticked), and the "Update
 * selected entries" form (fields that depend on the status code; full amount greys out
 * the partial amount). Amounts are summed in integer cents: never floats for money.
 * Loaded by the page or by htmx swapping the entries tab in, so it guards against running
 * its listeners twice and (re)initialises whatever is on the page. */
(function () {
  "use strict";

  function cents(text) {
    var s = String(text || "0").trim();
    var negative = s.charAt(0) === "-";
    if (negative) s = s.slice(1);
    var parts = s.split(".");
    var units = parseInt(parts[0] || "0", 10) || 0;
    var fraction = parseInt(((parts[1] || "") + "00").slice(0, 2), 10) || 0;
    var value = units * 100 + fraction;
    return negative ? -value : value;
  }

  function money(value) {
    var negative = value < 0;
    var abs = Math.abs(value);
    var units = Math.floor(abs / 100).toLocaleString("en-GB");
    var fraction = String(abs % 100).padStart(2, "0");
    return (negative ? "-" : "") + units + "." + fraction;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* --- Selection bar on the entries tab ------------------------------------------- */

  function selected(form) {
    return Array.prototype.filter.call(form.querySelectorAll("input[data-entry]"), function (box) {
      return box.checked;
    });
  }

  function refreshSelection(form) {
    var boxes = form.querySelectorAll("input[data-entry]");
    var ticked = selected(form);
    var perCurrency = {};
    var order = [];
    var lcy = 0;
    ticked.forEach(function (box) {
      var ccy = box.dataset.currency;
      if (!(ccy in perCurrency)) {
        perCurrency[ccy] = 0;
        order.push(ccy);
      }
      perCurrency[ccy] += cents(box.dataset.remaining);
      lcy += cents(box.dataset.remainingLcy);
      box.closest("tr").classList.toggle("selected", true);
    });
    boxes.forEach(function (box) {
      if (!box.checked) box.closest("tr").classList.remove("selected");
    });
    form.querySelector("[data-selection-count]").textContent = String(ticked.length);
    var sums = form.querySelector("[data-selection-sums]");
    sums.textContent = "";
    if (ticked.length === 0) {
      sums.appendChild(el("span", "muted", "Tick entries to work on them."));
    } else {
      sums.appendChild(el("span", "muted", "· remaining "));
      order.sort().forEach(function (ccy) {
        var sum = el("span", "selection-sum");
        sum.dataset.currency = ccy;
        sum.appendChild(el("span", "num", money(perCurrency[ccy])));
        sum.appendChild(el("span", "ccy", " " + ccy));
        sums.appendChild(sum);
      });
      var total = el("span", "selection-sum selection-lcy");
      total.dataset.currency = "LCY";
      total.appendChild(el("span", "muted", "= "));
      total.appendChild(el("strong", "num", money(lcy)));
      total.appendChild(el("span", "ccy", " " + form.dataset.lcy));
      sums.appendChild(total);
    }
    form.querySelectorAll("[data-selection-action]").forEach(function (button) {
      button.disabled = ticked.length === 0;
    });
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = ticked.length > 0 && ticked.length === boxes.length;
      all.indeterminate = ticked.length > 0 && ticked.length < boxes.length;
    }
  }

  /* --- Update selected entries form ----------------------------------------------- */

  function refreshUpdateForm(form) {
    var select = form.querySelector("select[name=status_code]");
    var option = select ? select.options[select.selectedIndex] : null;
    var promised = !!option && option.dataset.promised === "1";
    var queried = !!option && option.dataset.queried === "1";
    form.querySelectorAll("[data-when]").forEach(function (section) {
      var when = section.dataset.when;
      section.hidden = !((when === "promised" && promised) || (when === "queried" && queried));
    });
    var owner = form.querySelector("select[name=query_owner]");
    if (queried && owner && !owner.value && option.dataset.ownerDefault === "1") {
      owner.value = form.dataset.currentUser || "";
    }
    var full = form.querySelector("input[name=is_full]");
    var amount = form.querySelector("input[name=amount]");
    if (full && amount) {
      amount.disabled = full.checked;
      amount.closest(".form-row").classList.toggle("greyed", full.checked);
    }
  }

  function init(root) {
    (root || document).querySelectorAll("form[data-entry-selection]").forEach(refreshSelection);
    (root || document).querySelectorAll("form[data-entries-update]").forEach(refreshUpdateForm);
  }

  if (window.creditcontrolEntries) {
    init();
    return;
  }
  window.creditcontrolEntries = true;

  document.addEventListener("change", function (event) {
    var target = event.target;
    var selection = target.closest("form[data-entry-selection]");
    if (selection) {
      if (target.matches("[data-select-all]")) {
        selection.querySelectorAll("input[data-entry]").forEach(function (box) {
          box.checked = target.checked;
        });
      }
      refreshSelection(selection);
      return;
    }
    var update = target.closest("form[data-entries-update]");
    if (update) {
      if (target.name === "status_code") {
        var owner = update.querySelector("select[name=query_owner]");
        if (owner && owner.dataset.touched !== "1") owner.value = "";
      }
      if (target.name === "query_owner") target.dataset.touched = "1";
      refreshUpdateForm(update);
    }
  });

  // Both buttons open their page with the ticked ids as ``?entries=1,2,3``.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-entry-selection]")) return;
    event.preventDefault();
    var ids = selected(form).map(function (box) { return box.value; });
    if (ids.length === 0) return;
    var submitter = event.submitter;
    var action = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action");
    window.location.assign(action + "?entries=" + ids.join(","));
  });

  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
