// Progressive enhancement only: every page works without this file.
// Copy buttons: <button data-copy="input-id" data-copied="Copié !"> copies the
// input's value and says so in the element named by aria-controls.
(function () {
  "use strict";

  function announce(button) {
    var status = document.getElementById(button.getAttribute("aria-controls"));
    if (status) {
      status.textContent = button.dataset.copied;
    }
  }

  function copy(button) {
    var input = document.getElementById(button.dataset.copy);
    if (!input) {
      return;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { announce(button); });
      return;
    }
    // Plain-HTTP intranets have no Clipboard API: select and copy instead.
    input.select();
    if (document.execCommand("copy")) {
      announce(button);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // On a phone the filters would fill the first screen: fold them until
    // asked, unless the visitor has just chosen some.
    if (window.matchMedia("(max-width: 40rem)").matches) {
      document.querySelectorAll("details[data-fold-on-phone]:not([data-chosen])").forEach(function (details) {
        details.open = false;
      });
    }
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  });
})();
