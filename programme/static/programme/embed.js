// On a partner's page, beside <iframe data-essaim-agenda src="…/integrer/agenda/…">:
// sizes each such iframe to the agenda it shows. Listens only to Essaim's own origin,
// and only to the height each iframe reports of itself.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script ? new URL(script.src).origin : "";
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "essaim-agenda:height") {
      return;
    }
    var height = Number(data.height);
    if (!isFinite(height) || height <= 0) {
      return;
    }
    document.querySelectorAll("iframe[data-essaim-agenda]").forEach(function (frame) {
      if (frame.contentWindow === event.source) {
        frame.style.height = Math.min(Math.ceil(height), 20000) + "px";
      }
    });
  });
})();
