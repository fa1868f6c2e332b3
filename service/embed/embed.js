/* Live figures from the Met social-media misconduct FOI API.
   <span data-figure="met-2013.all.dismissed">7</span> becomes the live figure with its
   citation; the fallback text stays when the API cannot be reached. No dependencies. */
(function () {
  "use strict";
  var script = document.currentScript;
  var api = __BASE__ || (script && script.src
    ? script.src.replace(/\/v1\/embed\.js(?:[?#].*)?$/, "") : "");
  var pending = {};

  function reported(f) {
    var said = [];
    f.reports.forEach(function (r) {
      if (r.value !== null || r.min !== null || r.max !== null) {
        said.push(r.publisher + ": " + r.reading);
      }
    });
    return said.join(" \u00b7 ");
  }

  // Credit only the sources that printed the figure (kind number, range or words), as the
  // API's citation does; a source that named it without a count, or gave only its parts,
  // did not print this number.
  var PRINTED = ["number", "range", "words"];

  function publishers(f) {
    var seen = [];
    f.reports.forEach(function (r) {
      if (PRINTED.indexOf(r.kind) >= 0 && seen.indexOf(r.publisher) < 0) {
        seen.push(r.publisher);
      }
    });
    return seen.join(", ");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) { node.textContent = text; }
    return node;
  }

  function render(span, f) {
    var value = el("span", "met-foi-value", f.reading);
    var cite = el("small", "met-foi-citation", "");
    var link = el("a", "met-foi-source", "source: " + (publishers(f) || "our arithmetic"));
    // The figure's page (sources, reports, notes), not its JSON.
    link.href = api + "/figures/" + encodeURIComponent(f.id);
    link.title = f.citation;
    link.rel = "noopener";
    cite.appendChild(document.createTextNode(" ("));
    if (f.value === null && f.min === null && f.max === null) {
      cite.appendChild(document.createTextNode("no number given; "));
    }
    if (f.disputed) {
      cite.appendChild(document.createTextNode("sources disagree: " + reported(f) + "; "));
    }
    cite.appendChild(link);
    cite.appendChild(document.createTextNode(")"));
    while (span.firstChild) { span.removeChild(span.firstChild); }
    span.appendChild(value);
    span.appendChild(cite);
    span.setAttribute("data-figure-state", "live");
    span.setAttribute("title", f.citation);
  }

  function figure(id) {
    if (!pending[id]) {
      pending[id] = fetch(api + "/v1/figures/" + encodeURIComponent(id), {
        headers: { Accept: "application/json" }, credentials: "omit", mode: "cors"
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
    }
    return pending[id];
  }

  function scan(root) {
    var spans = (root || document).querySelectorAll("[data-figure]");
    Array.prototype.forEach.call(spans, function (span) {
      if (span.getAttribute("data-figure-state")) { return; }
      span.setAttribute("data-figure-state", "loading");
      figure(span.getAttribute("data-figure")).then(function (f) {
        render(span, f);
      }, function () {
        span.setAttribute("data-figure-state", "fallback");
      });
    });
  }

  window.metFoiEmbed = { scan: scan };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(); });
  } else {
    scan();
  }
})();
