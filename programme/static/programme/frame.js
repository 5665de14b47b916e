// Inside the embedded agenda: tell the page around it how tall the agenda is, so that
// its sizing script (embed.js) fits the iframe to it. Only a height crosses over.
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var last = 0;
  function post() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "essaim-agenda:height", height: height }, "*");
    }
  }
  window.addEventListener("load", post);
  if (window.ResizeObserver) {
    new ResizeObserver(post).observe(document.documentElement);
  }
})();
