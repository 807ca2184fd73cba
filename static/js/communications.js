/* The communication and call-action forms: show only the fields that apply.
   Hidden fields are disabled (not posted) but keep what was typed, so switching back
   restores it. The server validates everything again. */
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }
  function jsonData(id) {
    var el = byId(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function showRow(row, visible) {
    if (!row) return;
    row.hidden = !visible;
    row.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.disabled = !visible;
    });
  }

  /* Money in cents, so sums stay exact. */
  function cents(text) {
    var negative = text.trim().charAt(0) === "-";
    var parts = text.replace("-", "").trim().split(".");
    var value = parseInt(parts[0] || "0", 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
    return negative ? -value : value;
  }
  function formatCents(value) {
    var negative = value < 0;
    value = Math.abs(value);
    var units = Math.floor(value / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var rest = (value % 100).toString().padStart(2, "0");
    return (negative ? "-" : "") + units + "." + rest;
  }

  function communicationForm(form) {
    var byType = jsonData("contact-types-by-type") || {};
    var letterTypes = jsonData("letter-contact-types") || [];
    var type = byId("id_communication_type");
    var contactType = byId("id_contact_type");
    var outcome = byId("id_outcome");
    var contact = byId("id_contact");
    var full = byId("id_promise_full");
    var amount = byId("id_promise_amount");

    function refreshContactTypes() {
      var allowed = byType[type.value] || [];
      Array.prototype.forEach.call(contactType.options, function (option) {
        var ok = allowed.indexOf(option.value) !== -1;
        option.hidden = !ok;
        option.disabled = !ok;
      });
      if (allowed.indexOf(contactType.value) === -1 && allowed.length) {
        contactType.value = allowed[0];
      }
      showRow(byId("row-location"), type.value === "meeting");
      refreshLetterStyle();
    }
    function refreshLetterStyle() {
      showRow(byId("row-letter_style"), letterTypes.indexOf(contactType.value) !== -1);
    }
    function refreshPromise() {
      var box = byId("promise-fields");
      if (!box || !outcome) return;
      var option = outcome.options[outcome.selectedIndex];
      var wanted = !!(option && option.dataset.createsPromise);
      box.hidden = !wanted;
      box.querySelectorAll("input").forEach(function (input) { input.disabled = !wanted; });
      if (wanted && full && amount) {
        amount.disabled = full.checked;
        byId("row-promise_amount").classList.toggle("greyed", full.checked);
      }
    }
    function refreshContact() {
      var box = byId("new-contact");
      if (!box || !contact) return;
      showRow(box, !contact.value);
    }

    type.addEventListener("change", refreshContactTypes);
    contactType.addEventListener("change", refreshLetterStyle);
    if (outcome) outcome.addEventListener("change", refreshPromise);
    if (full) full.addEventListener("change", refreshPromise);
    if (contact) contact.addEventListener("change", refreshContact);
    refreshContactTypes();
    refreshPromise();
    refreshContact();
    selection();
  }

  /* The selected entries' summed remaining amount, per currency and in LCY, kept in
     step with the ticks (no page reload). */
  function selection() {
    var table = byId("selection");
    if (!table) return;
    var lcy = table.dataset.lcy;
    function refresh() {
      var perCurrency = {}, totalLcy = 0;
      table.querySelectorAll("input[name=entries]").forEach(function (box) {
        box.closest("tr").classList.toggle("unticked", !box.checked);
        if (!box.checked) return;
        var ccy = box.dataset.currency;
        perCurrency[ccy] = (perCurrency[ccy] || 0) + cents(box.dataset.remaining);
        totalLcy += cents(box.dataset.remainingLcy);
      });
      var cell = byId("selection-per-currency");
      cell.textContent = "";
      Object.keys(perCurrency).sort().forEach(function (ccy) {
        var line = document.createElement("div");
        line.textContent = formatCents(perCurrency[ccy]) + " ";
        var tag = document.createElement("span");
        tag.className = "ccy";
        tag.textContent = ccy;
        line.appendChild(tag);
        cell.appendChild(line);
      });
      if (!Object.keys(perCurrency).length) cell.textContent = "—";
      var lcyCell = byId("selection-lcy");
      lcyCell.textContent = formatCents(totalLcy) + " ";
      var tag = document.createElement("span");
      tag.className = "ccy";
      tag.textContent = lcy;
      lcyCell.appendChild(tag);
    }
    table.addEventListener("change", refresh);
    refresh();
  }

  function callActionForm(form) {
    var type = byId("id_action_type");
    var help = byId("behaviour-help");
    function refresh() {
      var option = type.options[type.selectedIndex];
      var behaviour = option ? option.dataset.behaviour || "" : "";
      if (help) {
        help.querySelectorAll("[data-behaviour]").forEach(function (item) {
          item.hidden = behaviour !== "" && item.dataset.behaviour !== behaviour;
        });
      }
      var needsAmount = behaviour === "dispute" || behaviour === "credit_memo";
      var row = byId("row-amount");
      if (row) row.classList.toggle("needed", needsAmount);
      var entryRow = byId("row-entry");
      if (entryRow) entryRow.classList.toggle("needed", needsAmount);
    }
    type.addEventListener("change", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = byId("communication-form");
    if (form) communicationForm(form);
    var actions = byId("call-action-form");
    if (actions) callActionForm(actions);
  });
})();
