// Copy buttons: shown only when the Clipboard API is there; the text stays selectable without.
"use strict";
(function () {
  if (!navigator.clipboard || !navigator.clipboard.writeText) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var section = button.closest("section");
      var status = section && section.querySelector(".copy-status");
      navigator.clipboard.writeText(target.textContent).then(
        function () { if (status) status.textContent = "Copied the " + button.textContent.replace(/^Copy /, "") + "."; },
        function () { if (status) status.textContent = "Could not copy; select the text instead."; }
      );
    });
  });
})();

// The embed builder: with a script, a choice shows its snippet and preview at once (without
// one, the form's button asks the server for the same page with the choice made).
(function () {
  var form = document.querySelector("form.builder");
  if (!form) return;
  var card = document.getElementById("preview-card");
  var image = document.getElementById("preview-image");
  var text = document.getElementById("preview-text");
  function chosen(name) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    return input ? input.value : "";
  }
  function show() {
    var key = chosen("embed") + "-" + chosen("theme") + "-" + chosen("version");
    var variant = null;
    document.querySelectorAll("[data-variant]").forEach(function (node) {
      node.hidden = node.getAttribute("data-variant") !== key;
      if (!node.hidden) variant = node;
    });
    if (!variant) return;
    var kind = variant.getAttribute("data-kind");
    var preview = variant.getAttribute("data-preview");
    card.hidden = kind !== "iframe" && kind !== "oembed";
    image.hidden = kind !== "svg";
    text.hidden = kind !== "script";
    if (!card.hidden && card.getAttribute("src") !== preview) {
      card.setAttribute("src", preview);
      card.setAttribute("height", variant.getAttribute("data-height"));
    }
    if (!image.hidden && image.getAttribute("src") !== preview) image.setAttribute("src", preview);
    text.querySelectorAll("[data-variant-version]").forEach(function (span) {
      span.hidden = span.getAttribute("data-variant-version") !== chosen("version");
    });
  }
  form.querySelector("button.show").hidden = true;
  form.addEventListener("change", show);
})();

// The figure page's Chart and Table buttons: with a script, one of the two shows at a time
// (without one, both are on the page, the chart first).
(function () {
  var tabs = document.querySelector("[data-tabs]");
  if (!tabs) return;
  var buttons = tabs.querySelectorAll("button[data-tab]");
  function show(name) {
    buttons.forEach(function (button) {
      var chosen = button.getAttribute("data-tab") === name;
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
      document.getElementById(button.getAttribute("aria-controls")).hidden = !chosen;
    });
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { show(button.getAttribute("data-tab")); });
  });
  tabs.hidden = false;
  show("chart");
})();
