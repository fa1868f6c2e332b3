/* Live figures from the Police social-media misconduct FOI API.
   <span data-figure="met-2013.all.dismissed">7</span> becomes the live figure with its
   citation; the fallback text stays when the API cannot be reached. No dependencies.
   data-cite chooses the citation's form: "inline" (the default) puts the figure first and
   "(source: ...)" at the end of its sentence, so the unit that follows the span is read
   with the number: "7 were sacked (source: ...)."; "short" puts the short citation there
   instead; "footnote" "7[1]" with a superscript link; "none" the figure alone. The full
   citation is always in the span's title, the short one in the link's.
   data-revision="<id>" pins the figure to that revision of the data: it never changes, and
   says "corrected since: now ..." if the figure reads otherwise now. */
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

  // What a reader should know beside the figure's own words: no number, or a dispute.
  function caveats(f) {
    var notes = [];
    if (f.value === null && f.min === null && f.max === null) {
      notes.push("no number given");
    }
    if (f.disputed) { notes.push("sources disagree: " + reported(f)); }
    return notes;
  }

  function pageLink(f, text, title, revision) {
    var link = el("a", "met-foi-source", text);
    // The figure's page (sources, reports, notes), not its JSON; pinned, as the embed is.
    link.href = api + "/figures/" + encodeURIComponent(f.id) +
      (revision ? "?revision=" + encodeURIComponent(revision) : "");
    link.title = title;
    link.rel = "noopener";
    return link;
  }

  // data-cite absent or "inline": "(source: The Guardian, ...)"; "short": the short
  // citation as the API gives it, "(Metropolitan Police Service FOI answer (...), as
  // reported by ...; via ..., https://...)".
  function inlineCitation(f, revision, form) {
    var cite = el("small", "met-foi-citation", "");
    cite.appendChild(document.createTextNode(" ("));
    caveats(f).forEach(function (note) {
      cite.appendChild(document.createTextNode(note + "; "));
    });
    var source = form === "short" ? f.cite_short
      : "source: " + (publishers(f) || __DERIVED__);
    cite.appendChild(pageLink(f, source, f.cite_short, revision));
    cite.appendChild(document.createTextNode(")"));
    return cite;
  }

  // Elements that end the span's sentence if no full stop comes first.
  var BREAKS = /^(BR|P|DIV|LI|UL|OL|TABLE|H[1-6]|BLOCKQUOTE|SECTION|ARTICLE|FIGURE)$/;

  // The citation goes at the end of the span's sentence (before its full stop, or before
  // the next break or block, or at the end of its parent), so the figure and the unit the
  // page writes after it read together: "17 to 18 officers got a written warning (...).".
  function placeAfterSentence(span, cite) {
    var parent = span.parentNode;
    for (var node = span.nextSibling; node; node = node.nextSibling) {
      if (node.nodeType === 3) {
        var stop = /[.!?;:](?=\s|$)/.exec(node.nodeValue);
        if (stop) {
          parent.insertBefore(cite, node.splitText(stop.index));
          return;
        }
      } else if (node.nodeType === 1 && BREAKS.test(node.nodeName)) {
        parent.insertBefore(cite, node);
        return;
      }
    }
    parent.appendChild(cite);
  }

  // data-cite="footnote": "7" and a superscript [n] linking to the figure's page.
  function footnote(f, number, title, revision) {
    var sup = el("sup", "met-foi-footnote", "");
    sup.appendChild(pageLink(f, "[" + number + "]", title, revision));
    return sup;
  }

  // A pinned figure that reads otherwise now: what it reads now (null: withdrawn since).
  function correction(f, now) {
    if (now === undefined) { return ""; }
    if (now === null) { return "withdrawn since"; }
    return now.reading === f.reading ? "" : "corrected since: now " + now.reading;
  }

  function render(span, f, now) {
    var form = span.getAttribute("data-cite") || "inline";
    var revision = span.getAttribute("data-revision");
    var notes = caveats(f);
    var corrected = correction(f, now);
    var title = (corrected ? corrected + ". " : "") +
      (notes.length ? notes.join("; ") + ". " : "") + f.citation;
    while (span.firstChild) { span.removeChild(span.firstChild); }
    span.appendChild(el("span", "met-foi-value", f.reading));
    if (corrected) {
      span.appendChild(el("small", "met-foi-corrected", " (" + corrected + ")"));
    }
    if (form === "footnote") {
      span.appendChild(footnote(f, span.getAttribute("data-footnote"), title, revision));
    } else if (form !== "none") {
      placeAfterSentence(span, inlineCitation(f, revision, form));
    }
    span.setAttribute("data-figure-state", "live");
    span.setAttribute("title", title);
  }

  function figure(id, revision) {
    var key = id + (revision ? "@" + revision : "");
    if (!pending[key]) {
      var query = revision ? "?revision=" + encodeURIComponent(revision) : "";
      pending[key] = fetch(api + "/v1/figures/" + encodeURIComponent(id) + query, {
        headers: { Accept: "application/json" }, credentials: "omit", mode: "cors"
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
    }
    return pending[key];
  }

  // For a pinned figure: the figure now; null when it is no longer published (a 404);
  // undefined when that cannot be told (not pinned, or the API could not be asked).
  function current(id, revision) {
    if (!revision) { return Promise.resolve(undefined); }
    return figure(id).then(null, function (error) {
      return error && error.message === "HTTP 404" ? null : undefined;
    });
  }

  var footnotes = 0;

  function scan(root) {
    var spans = (root || document).querySelectorAll("[data-figure]");
    Array.prototype.forEach.call(spans, function (span) {
      if (span.getAttribute("data-figure-state")) { return; }
      span.setAttribute("data-figure-state", "loading");
      // Footnotes are numbered in the page's order, not in the order answers arrive.
      if (span.getAttribute("data-cite") === "footnote") {
        footnotes += 1;
        span.setAttribute("data-footnote", String(footnotes));
      }
      var id = span.getAttribute("data-figure");
      var revision = span.getAttribute("data-revision");
      Promise.all([figure(id, revision), current(id, revision)]).then(function (found) {
        render(span, found[0], found[1]);
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
