// Accessible names for controls that CKAN leaves without one.
//
// 1. CKAN's select2 widgets (keywords, licence, formats).
//
// select2 4.0.13, as CKAN 2.12 ships it, hides the original field (which has
// its <label>) and shows its own combobox, text box and search field; the
// combobox points its name at the rendered selection, which is empty until a
// value is chosen, and the other two have no name at all. A screen reader then
// announces "Kombinationsfeld" with nothing to say which field it is (axe:
// aria-input-field-name). This gives each of them the label of the original
// field, also when select2 renders them again after a choice. The buttons that
// remove a chosen value say "Remove item" in English on every page; they get
// "<value> entfernen" in the page's language. Remove this once select2 names
// its controls from the original field's label and in the page's language.
(function () {
  "use strict";

  var REMOVE = {de: "{value} entfernen", en: "Remove {value}"};
  var PAGES = {de: {left: "Vorherige Seite", right: "Nächste Seite"},
               en: {left: "Previous page", right: "Next page"}};

  // The original field's <label>, given an id if it has none.
  function labelOf(field) {
    var label = field.id ? document.querySelector('label[for="' + field.id + '"]') : null;
    if (label && !label.id) {
      label.id = field.id + "-label";
    }
    return label;
  }

  function setOnce(element, attribute, value) {
    if (element && element.getAttribute(attribute) !== value) {
      element.setAttribute(attribute, value);
    }
  }

  // The combobox is named by the label and what is chosen (single choice:
  // the rendered selection; several: the chosen items are read as its content).
  function name(container, label) {
    var combobox = container.querySelector(".select2-selection");
    var rendered = container.querySelector(".select2-selection__rendered[id]");
    var single = combobox && combobox.classList.contains("select2-selection--single");
    setOnce(combobox, "aria-labelledby", single && rendered ? label.id + " " + rendered.id : label.id);
    if (single) {
      setOnce(rendered, "aria-labelledby", label.id);
    }
    var search = container.querySelector(".select2-search__field");
    setOnce(search, "aria-labelledby", label.id);
    var removers = container.querySelectorAll(".select2-selection__choice__remove");
    for (var i = 0; i < removers.length; i++) {
      var item = removers[i].parentElement;
      var value = (item && item.getAttribute("title")) || "";
      var text = REMOVE[document.documentElement.lang] || REMOVE.de;
      setOnce(removers[i], "aria-label", text.replace("{value}", value).trim());
      setOnce(removers[i], "title", text.replace("{value}", value).trim());
    }
  }

  function nameAll() {
    var fields = document.querySelectorAll(".select2-hidden-accessible");
    for (var i = 0; i < fields.length; i++) {
      var container = fields[i].nextElementSibling;
      var label = labelOf(fields[i]);
      if (label && label.id && container && container.classList.contains("select2-container")) {
        name(container, label);
      }
    }
  }

  // 2. The arrows of a pager drawn by a template the portal does not
  // override (CKAN's bulk editing of an authority's datasets, ckanext-harvest's
  // list of sources): bare icons, links without a name. The portal's own lists
  // name them on the server (h.thueringen_pager).
  function namePagers() {
    var words = PAGES[document.documentElement.lang] || PAGES.de;
    var arrows = document.querySelectorAll(".pagination a.page-link > i.fa-chevron-left:only-child, " +
                                           ".pagination a.page-link > i.fa-chevron-right:only-child");
    for (var i = 0; i < arrows.length; i++) {
      var link = arrows[i].parentElement;
      if (link.textContent.trim()) {
        continue;
      }
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = arrows[i].classList.contains("fa-chevron-left") ? words.left : words.right;
      arrows[i].setAttribute("aria-hidden", "true");
      link.appendChild(hidden);
    }
  }

  var pending = false;
  function soon() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        nameAll();
        namePagers();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    namePagers();
    nameAll();
    new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
  });
})();
