// The MCP Apps view that get_figure and aggregate name on their tool definitions
// (`_meta.ui.resourceUri`). A host that renders MCP Apps shows it beside the tool's answer and
// sends it the result (`ui/notifications/tool-result`); the result names, in its own
// `_meta.ui.resourceUri`, the figure's card or the aggregate's chart pinned to the revision
// the answer was read at, and this view asks the host to read that resource
// (`resources/read`) and shows it. The card and the chart are drawn by the server
// (service/embed), the one place that draws them; nothing here renders a figure. Where the
// host cannot read resources, or the result names none, the view shows the answer's own text,
// as a client without the extension does. It loads nothing from anywhere.
(function () {
  "use strict";
  var nextId = 1;
  var pending = {};

  function send(message) {
    window.parent.postMessage(message, "*");
  }

  function request(method, params) {
    var id = nextId++;
    send({ jsonrpc: "2.0", id: id, method: method, params: params });
    return new Promise(function (resolve, reject) {
      pending[id] = { resolve: resolve, reject: reject };
    });
  }

  function sizeChanged() {
    var root = document.documentElement;
    send({
      jsonrpc: "2.0",
      method: "ui/notifications/size-changed",
      params: { width: root.scrollWidth, height: root.scrollHeight },
    });
  }

  function answerText(result) {
    var blocks = (result && result.content) || [];
    return blocks
      .filter(function (block) { return block.type === "text"; })
      .map(function (block) { return block.text; })
      .join("\n");
  }

  function showText(result) {
    var text = document.createElement("pre");
    text.className = "answer";
    text.textContent = answerText(result);
    document.body.replaceChildren(text);
    sizeChanged();
  }

  function showPage(html) {
    // The server's own card or chart page, as the host would show the resource itself.
    var page = new DOMParser().parseFromString(html, "text/html");
    document.head.replaceWith(document.adoptNode(page.head));
    document.body.replaceWith(document.adoptNode(page.body));
    sizeChanged();
  }

  function render(result) {
    var ui = result && !result.isError && result._meta && result._meta.ui;
    var uri = ui && ui.resourceUri;
    if (typeof uri !== "string" || uri.indexOf("ui://") !== 0) {
      showText(result);
      return;
    }
    request("resources/read", { uri: uri }).then(
      function (read) {
        var content = read && read.contents && read.contents[0];
        if (content && typeof content.text === "string") {
          showPage(content.text);
        } else {
          showText(result);
        }
      },
      function () { showText(result); }
    );
  }

  window.addEventListener("message", function (event) {
    var message = event.data;
    if (event.source !== window.parent || !message || message.jsonrpc !== "2.0") {
      return;
    }
    if (message.method === undefined && pending[message.id]) {
      var waiting = pending[message.id];
      delete pending[message.id];
      if (message.error) {
        waiting.reject(message.error);
      } else {
        waiting.resolve(message.result);
      }
    } else if (message.method === "ui/notifications/tool-result") {
      render(message.params);
    } else if (message.method === "ui/resource-teardown" && message.id !== undefined) {
      send({ jsonrpc: "2.0", id: message.id, result: {} });
    }
  });

  request("ui/initialize", {
    appCapabilities: {},
    appInfo: { name: "met-social-media-foi", version: "1" },
    protocolVersion: "2026-01-26",
  }).then(function () {
    send({ jsonrpc: "2.0", method: "ui/notifications/initialized", params: {} });
  });
})();
