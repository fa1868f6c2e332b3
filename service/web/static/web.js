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
