// Behaviour every page shares: confirmations, the header's global search, keyboard use.
(function () {
  "use strict";

  // <button data-confirm="Delete …?">: ask before the form is sent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (button && !button.form?.id?.startsWith("mail-list") && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // Global search: "/" focuses it; arrows move through the results; Enter opens one.
  function results() {
    return Array.prototype.slice.call(document.querySelectorAll("#search-results a"));
  }
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search-input");
    if (!box) return;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) ||
      document.activeElement.isContentEditable;
    if (event.key === "/" && !typing) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    var inSearch = document.activeElement === box || document.activeElement.closest("#search-results");
    if (!inSearch) return;
    var links = results();
    var index = links.indexOf(document.querySelector("#search-results a.active"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!links.length) return;
      index = event.key === "ArrowDown" ? Math.min(index + 1, links.length - 1) : Math.max(index - 1, 0);
      links.forEach(function (a) { a.classList.remove("active"); });
      links[index].classList.add("active");
      links[index].scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter" && document.activeElement === box) {
      var chosen = links[index >= 0 ? index : 0];
      if (chosen) {
        event.preventDefault();
        window.location.href = chosen.href;
      }
    } else if (event.key === "Escape") {
      document.getElementById("search-results").innerHTML = "";
    }
  });

  // The team page's token form posts to the chosen person's address.
  document.addEventListener("submit", function (event) {
    if (event.target.id === "token-form") {
      event.target.action = document.getElementById("token-person").value;
    }
  });

  // An entry opened from the search: scroll to it.
  window.addEventListener("load", function () {
    var row = document.querySelector("tr.highlight");
    if (row) row.scrollIntoView({ block: "center" });
  });
})();
