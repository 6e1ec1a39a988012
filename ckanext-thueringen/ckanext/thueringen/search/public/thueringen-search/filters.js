// The filter panel of the search page on a narrow screen: "Ergebnisse filtern"
// (a button, aria-expanded) opens it and moves the focus into it; the close
// button or Escape closes it and returns the focus. While it is open, Tab stays
// in the panel. CKAN's own script only toggles the class.
(function () {
  "use strict";
  var FOCUSABLE = "button:not([disabled]), a[href], input:not([type=hidden]), select, textarea";
  var opener = null;

  function panel() { return document.getElementById("search-facets"); }
  function isOpen() { return document.body.classList.contains("filters-modal"); }

  function setExpanded(expanded) {
    document.querySelectorAll(".show-filters").forEach(function (button) {
      button.setAttribute("aria-expanded", expanded ? "true" : "false");
    });
  }

  function focusables() {
    var element = panel();
    if (!element) { return []; }
    return Array.prototype.filter.call(element.querySelectorAll(FOCUSABLE), function (node) {
      return node.offsetParent !== null;
    });
  }

  function open(button) {
    opener = button;
    document.body.classList.add("filters-modal");
    setExpanded(true);
    var first = focusables()[0];
    (first || panel()).focus();
  }

  function close() {
    document.body.classList.remove("filters-modal");
    setExpanded(false);
    var target = opener || document.querySelector(".show-filters");
    if (target) { target.focus(); }
  }

  document.addEventListener("click", function (event) {
    var show = event.target.closest(".show-filters");
    if (show) { open(show); return; }
    if (event.target.closest(".hide-filters")) { close(); }
  });

  document.addEventListener("keydown", function (event) {
    if (!isOpen()) { return; }
    if (event.key === "Escape") { close(); return; }
    if (event.key !== "Tab") { return; }
    var nodes = focusables();
    if (!nodes.length) { return; }
    var first = nodes[0], last = nodes[nodes.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      last.focus(); event.preventDefault();
    } else if (!event.shiftKey && document.activeElement === last) {
      first.focus(); event.preventDefault();
    }
  });
})();
