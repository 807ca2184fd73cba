/* The customer list as a spreadsheet: choose, order and resize columns (kept on the
   server through /api/v1/customer-list-layout/, so every browser shows the same list),
   choose the columns the search looks in, tick customers for the bulk actions.
   The search itself is htmx on the filter form (debounced 250 ms, the results swapped). */
(function () {
  "use strict";

  var MIN_WIDTH = 40, MAX_WIDTH = 800;

  function byId(id) { return document.getElementById(id); }
  function csrfToken() {
    var input = document.querySelector("#bulk-form input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function choices() { return Array.prototype.slice.call(byId("column-choices").children); }

  /* The layout as the menu shows it: ticked columns in menu order, with their widths. */
  function currentLayout() {
    var columns = choices()
      .filter(function (li) { return li.querySelector("input[name=show]").checked; })
      .map(function (li) { return { key: li.dataset.key, width: parseInt(li.dataset.width, 10) || null }; });
    var unsearched = [];
    var saved = JSON.parse(byId("customer-layout").textContent);
    var shownKeys = columns.map(function (c) { return c.key; });
    // Columns left out of search stay left out while hidden, too.
    (saved.unsearched || []).forEach(function (key) {
      if (shownKeys.indexOf(key) === -1) unsearched.push(key);
    });
    document.querySelectorAll("#search-choices input[name=searched]").forEach(function (box) {
      if (!box.checked && unsearched.indexOf(box.value) === -1) unsearched.push(box.value);
    });
    return { columns: columns, unsearched: unsearched };
  }

  function refreshResults() {
    if (window.htmx) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search,
                       { target: "#customer-results", swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  }

  function showError(message) {
    var box = byId("layout-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "layout-error";
      box.className = "errors";
      box.setAttribute("role", "alert");
      byId("customer-filters").after(box);
    }
    box.textContent = message;
    box.hidden = !message;
  }

  /* PUT the layout; ``reload`` re-renders the table (columns shown or moved). */
  function saveLayout(reload) {
    var layout = currentLayout();
    if (!layout.columns.length) {
      showError("Keep at least one column.");
      return;
    }
    var url = byId("customer-filters").dataset.layoutUrl;
    return fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(layout)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var errors = (data.errors || []).map(function (e) { return e.message; });
          throw new Error(errors.join(" ") || "The layout was not saved.");
        }
        byId("customer-layout").textContent = JSON.stringify({ columns: layout.columns, unsearched: data.unsearched });
        showError("");
        document.dispatchEvent(new CustomEvent("customer-layout-saved"));
        if (reload) refreshResults();
      });
    }).catch(function (error) { showError(error.message); });
  }

  function syncSearchMenu() {
    /* The gear menu lists the shown text columns only. */
    var list = byId("search-choices");
    var unsearched = currentLayout().unsearched;
    list.innerHTML = "";
    choices().forEach(function (li) {
      if (!li.hasAttribute("data-searchable") || !li.querySelector("input[name=show]").checked) return;
      var item = document.createElement("li");
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "searched";
      box.value = li.dataset.key;
      box.setAttribute("form", "layout-menu-form");
      box.checked = unsearched.indexOf(li.dataset.key) === -1;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + li.dataset.label));
      item.appendChild(label);
      list.appendChild(item);
    });
  }

  function moveChoice(key, beforeKey) {
    var list = byId("column-choices");
    var item = list.querySelector('li[data-key="' + key + '"]');
    var before = beforeKey ? list.querySelector('li[data-key="' + beforeKey + '"]') : null;
    if (item && item !== before) list.insertBefore(item, before);
  }

  function researchIfTyped() {
    var q = byId("customer-q");
    if (q && q.value.trim()) refreshResults();
  }

  /* --- the column menu --------------------------------------------------------- */
  function wireMenus() {
    var list = byId("column-choices");
    list.addEventListener("change", function (event) {
      if (event.target.name !== "show") return;
      saveLayout(true).then(syncSearchMenu);
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button) return;
      var li = button.closest("li");
      if (button.dataset.move === "up" && li.previousElementSibling) {
        list.insertBefore(li, li.previousElementSibling);
      } else if (button.dataset.move === "down" && li.nextElementSibling) {
        list.insertBefore(li.nextElementSibling, li);
      } else {
        return;
      }
      button.focus();
      if (li.querySelector("input[name=show]").checked) saveLayout(true);
    });
    byId("layout-reset").addEventListener("click", function () {
      fetch(byId("customer-filters").dataset.layoutUrl, {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ columns: [], unsearched: [] })
      }).finally(function () { window.location.reload(); });
    });
    byId("search-choices").addEventListener("change", function () {
      saveLayout(false).then(researchIfTyped);
    });
    // Loading a mail list changes the toolbar too (its name, "Delete list"): a whole page.
    var lists = byId("customer-mail-list");
    if (lists) {
      lists.addEventListener("change", function (event) {
        event.stopPropagation();
        var params = new URLSearchParams(window.location.search);
        params.delete("page");
        if (lists.value) params.set("mail_list", lists.value); else params.delete("mail_list");
        window.location.search = params.toString();
      });
    }
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        if (!menu.contains(event.target)) menu.removeAttribute("open");
      });
    });
  }

  /* --- headers: drag to reorder, drag the edge to resize ------------------------ */
  function wireHeaders(table) {
    if (!table || table.dataset.wired) return;
    table.dataset.wired = "1";
    var dragged = null;
    table.querySelectorAll("thead th[data-key]").forEach(function (th) {
      th.addEventListener("dragstart", function (event) {
        if (resizing) { event.preventDefault(); return; }
        dragged = th.dataset.key;
        th.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", dragged);
      });
      th.addEventListener("dragend", function () {
        th.classList.remove("dragging");
        table.querySelectorAll(".drop-before").forEach(function (el) { el.classList.remove("drop-before"); });
      });
      th.addEventListener("dragover", function (event) {
        if (!dragged || dragged === th.dataset.key) return;
        event.preventDefault();
        th.classList.add("drop-before");
      });
      th.addEventListener("dragleave", function () { th.classList.remove("drop-before"); });
      th.addEventListener("drop", function (event) {
        event.preventDefault();
        th.classList.remove("drop-before");
        if (!dragged || dragged === th.dataset.key) return;
        moveChoice(dragged, th.dataset.key);
        dragged = null;
        saveLayout(true);
      });
    });

    var resizing = null;
    table.querySelectorAll("thead .col-resize").forEach(function (handle) {
      handle.addEventListener("mousedown", function (event) {
        var th = handle.closest("th");
        var col = table.querySelector('col[data-key="' + th.dataset.key + '"]');
        resizing = { key: th.dataset.key, col: col, startX: event.clientX,
                     startWidth: col.getBoundingClientRect().width || th.offsetWidth,
                     tableWidth: table.offsetWidth };
        document.body.classList.add("resizing");
        event.preventDefault();
        event.stopPropagation();
      });
      handle.addEventListener("click", function (event) { event.preventDefault(); event.stopPropagation(); });
    });
    document.addEventListener("mousemove", function (event) {
      if (!resizing) return;
      var width = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.round(resizing.startWidth + event.clientX - resizing.startX)));
      resizing.col.style.width = width + "px";
      table.style.width = (resizing.tableWidth + width - resizing.startWidth) + "px";
      resizing.width = width;
    });
    document.addEventListener("mouseup", function () {
      if (!resizing) return;
      var done = resizing;
      resizing = null;
      document.body.classList.remove("resizing");
      if (!done.width) return;
      var li = byId("column-choices").querySelector('li[data-key="' + done.key + '"]');
      if (li) li.dataset.width = done.width;
      saveLayout(false);
    });
  }

  /* --- ticks and the bulk bar ------------------------------------------------ */
  function ticked() { return document.querySelectorAll("#customer-table tbody input[name=ids]:checked"); }

  function refreshTicks() {
    var boxes = document.querySelectorAll("#customer-table tbody input[name=ids]");
    var n = ticked().length;
    var all = byId("all-matching");
    var results = byId("customer-results");
    var everything = all && all.checked;
    var count = byId("bulk-count");
    if (count) {
      // The words come translated from the page (data-none/-some/-all); {n} is the number.
      var words = everything ? count.dataset.all : (n ? count.dataset.some : count.dataset.none);
      count.textContent = words.replace("{n}", everything ? (results.dataset.count || "") : String(n));
    }
    var page = byId("tick-page");
    if (page) {
      page.checked = boxes.length > 0 && n === boxes.length;
      page.indeterminate = n > 0 && n < boxes.length;
    }
    var offer = byId("select-all-matching");
    if (offer) {
      var more = parseInt(results.dataset.count || "0", 10) > boxes.length;
      offer.hidden = !(more && boxes.length && n === boxes.length);
      if (offer.hidden && all) all.checked = false;
    }
    document.querySelectorAll("#bulk-form [data-needs-ticks]").forEach(function (button) {
      button.disabled = !(n || everything);
    });
  }

  function wireTicks() {
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target.id === "tick-page") {
        document.querySelectorAll("#customer-table tbody input[name=ids]").forEach(function (box) {
          box.checked = target.checked;
        });
      }
      if (target.id === "tick-page" || target.name === "ids" || target.id === "all-matching") refreshTicks();
    });
    byId("bulk-form").addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) event.preventDefault();
    });
    document.querySelectorAll("button[data-confirm][form=mail-list-delete]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.dataset.confirm)) event.preventDefault();
      });
    });
  }

  function start() {
    if (!byId("customer-filters")) return;
    wireMenus();
    wireTicks();
    wireHeaders(byId("customer-table"));
    refreshTicks();
    document.body.addEventListener("htmx:afterSwap", function () {
      wireHeaders(byId("customer-table"));
      refreshTicks();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
