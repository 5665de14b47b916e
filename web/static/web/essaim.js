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
    document.querySelectorAll("[data-picker]").forEach(picker);
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(fileLimit);
    freeOrPrice(document.getElementById("id_free"), document.getElementById("id_price_text"));
  });

  // "Gratuit" ticked: the price field has nothing to say.
  function freeOrPrice(free, price) {
    if (!free || !price) {
      return;
    }
    function follow() {
      price.disabled = free.checked;
    }
    free.addEventListener("change", follow);
    follow();
  }

  // Accents and case do not matter when searching a name.
  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // The co-organizer checkboxes: a search box, the chosen ones named, and the lead
  // organization chosen above the form left out (it does not co-organize its own event).
  function picker(root) {
    var search = root.querySelector(".picker-search");
    var chosen = root.querySelector(".picker-chosen");
    var empty = root.querySelector(".picker-empty");
    var options = Array.prototype.slice.call(root.querySelectorAll(".picker-option"));
    var lead = document.getElementById("id_organization");
    // The structures already chosen come first, where the eye looks.
    var list = root.querySelector(".picker-options");
    options.filter(function (option) { return option.querySelector("input").checked; }).reverse()
      .forEach(function (option) { list.insertBefore(option, list.firstChild); });
    search.hidden = false;
    root.classList.add("is-searchable");

    function refresh() {
      var words = plain(search.value.trim());
      var shown = 0;
      var names = [];
      options.forEach(function (option) {
        var box = option.querySelector("input");
        var isLead = lead && lead.value && lead.value === option.dataset.value;
        if (isLead) {
          box.checked = false;
        }
        var match = !words || plain(option.textContent).indexOf(words) !== -1;
        option.hidden = isLead || !(match || box.checked);
        if (!option.hidden) {
          shown += 1;
        }
        if (box.checked) {
          names.push(option.textContent.trim());
        }
      });
      empty.hidden = shown > 0;
      chosen.textContent = names.length ? chosen.dataset.prefix + " " + names.join(", ") : chosen.dataset.none;
    }
    search.addEventListener("input", refresh);
    // Enter in the search box must not send the form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
    root.addEventListener("change", refresh);
    if (lead) {
      lead.addEventListener("change", refresh);
    }
    refresh();
  }

  // A file over the limit is refused at once, before minutes of upload.
  function fileLimit(input) {
    var field = input.closest(".field");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var old = field.querySelector(".error.from-browser");
      if (old) {
        old.remove();
      }
      input.setCustomValidity("");
      if (file && file.size > Number(input.dataset.maxBytes)) {
        var message = input.dataset.tooLarge.replace("%(size)s", (file.size / 1e6).toFixed(1).replace(".0", ""));
        var error = document.createElement("div");
        error.className = "error from-browser";
        error.setAttribute("role", "alert");
        error.textContent = message;
        field.appendChild(error);
        field.classList.add("has-error");
        input.value = "";
      }
    });
  }
})();

// The moderation queue: "Tout cocher" and the count of the events ticked for a decision on
// several at once (the ticks belong to the form with id "bulk").
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.querySelector("[data-bulk-pick]");
    if (!bar) {
      return;
    }
    var all = bar.querySelector("input[type=checkbox]");
    var status = bar.querySelector("[role=status]");
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input[type=checkbox][form=bulk]"));

    function count() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      var text = ticked === 0 ? status.dataset.none : ticked === 1 ? status.dataset.one : status.dataset.many;
      status.textContent = text.replace("%d", ticked);
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    bar.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      count();
    });
    boxes.forEach(function (box) { box.addEventListener("change", count); });
    count();
  });
})();
