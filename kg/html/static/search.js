// The search box's autocomplete: an ARIA 1.2 combobox over /api/suggest (labels, synonyms,
// cross-reference ids, CURIEs, typing mistakes forgiven). Without this script the box is a
// plain form that opens /search.
(function () {
  "use strict";
  var input = document.getElementById("site-q");
  var list = document.getElementById("site-q-options");
  var status = document.getElementById("site-q-status");
  if (!input || !list || !window.fetch) return;
  var items = [], active = -1, timer = null, asked = "";

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  function say(text) { if (status) status.textContent = text; }

  function show(found) {
    items = found;
    list.textContent = "";
    say(found.length ? found.length + (found.length === 1 ? " suggestion" : " suggestions") +
        ", arrow keys to choose" : (input.value.trim() ? "no suggestions" : ""));
    if (!found.length) { close(); return; }
    found.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "site-q-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.href = s.href;
      var label = document.createElement("span");
      label.className = "option-label";
      label.textContent = s.label;
      li.appendChild(label);
      var how = s.matched !== s.label ? s.matched + " (" + s.how + ")" : s.kind;
      var note = document.createElement("span");
      note.className = "option-note";
      note.textContent = " " + how;
      li.appendChild(note);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); go(i); });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  function go(index) {
    if (items[index] && items[index].href) window.location.href = items[index].href;
  }

  function ask() {
    var text = input.value.trim();
    if (text === asked) return;
    asked = text;
    if (!text) { show([]); return; }
    fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) { if (data.query === input.value.trim()) show(data.suggestions); })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      if (list.hidden && items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      highlight(active + 1); event.preventDefault();
    } else if (event.key === "ArrowUp") {
      highlight(active - 1); event.preventDefault();
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault(); go(active);
    } else if (event.key === "Escape") {
      if (!list.hidden) { close(); event.preventDefault(); }
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
