// The SPARQL editor: YASGUI (shipped in static/yasgui/; nothing is fetched from anywhere but
// this app) on this app's own /sparql endpoint, with the dmkg prefixes, the example queries
// in a select and results as YASR tables with their download. Tab is left to the browser so
// it moves focus out of the editor (Ctrl+] and Ctrl+[ indent). Without JavaScript, or if
// YASGUI fails to load, the plain form below it stays (Ctrl+Enter runs it).
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var area = document.getElementById("query");
  var box = document.getElementById("yasgui-box");
  var configEl = document.getElementById("editor-config");

  function plainForm() {
    if (!area || !form) { return; }
    area.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.submit();
      }
    });
  }

  if (!box || !configEl || typeof window.Yasgui !== "function") { plainForm(); return; }
  var config = JSON.parse(configEl.textContent);
  var Yasgui = window.Yasgui;
  var Yasqe = Yasgui.Yasqe;
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // only completers that need no network: the class and property completers ask LOV
  // (set on the defaults: YASGUI merges a tab's list into them rather than replacing them)
  Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasqe.defaults.prefixCcApi = null;
  // typing "dmkg:" adds "PREFIX dmkg: <...>" (the dmkg prefixes first, then YASQE's bundled
  // list; its prefix.cc download stays off)
  var prefixer = Yasqe.Autocompleters && Yasqe.Autocompleters.prefixes;
  if (prefixer) {
    var bundled = prefixer.get;
    prefixer.get = function (yasqe) {
      var ours = Object.keys(config.prefixes).map(function (name) {
        return name + ": <" + config.prefixes[name] + ">";
      });
      return bundled.call(this, yasqe).then(function (theirs) {
        var taken = {};
        Object.keys(config.prefixes).forEach(function (name) { taken[name] = true; });
        return ours.concat(theirs.filter(function (line) {
          return !taken[line.split(":")[0]];
        }));
      });
    };
  }
  var keys = Object.assign({}, Yasqe.defaults.extraKeys, {
    "Tab": false,
    "Shift-Tab": false,
    "Ctrl-]": "indentMore",
    "Ctrl-[": "indentLess"
  });

  var yasgui;
  box.hidden = false;  // CodeMirror measures its lines when it starts: it must be visible
  try {
    yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistenceId: null,
      // a link (the share button's #query=..., or ?query=...) opens its query and runs it, on
      // this app's endpoint whatever endpoint, headers or arguments the link names
      populateFromUrl: function (tab) {
        tab.requestConfig = Object.assign({}, tab.requestConfig, {
          endpoint: endpoint, method: "POST", headers: {}, args: [],
          namedGraphs: [], defaultGraphs: []
        });
        return tab;
      },
      corsProxy: undefined,
      tabName: "Query",
      yasqe: {
        value: config.query,
        prefixCcApi: null,
        extraKeys: keys,
        screenReaderLabel: "SPARQL query",
        persistenceId: null,
        showQueryButton: true,
        resizeable: false,
        lineWrapping: true,
        viewportMargin: Infinity,
        createShortLink: undefined
      },
      yasr: {
        prefixes: config.prefixes,
        pluginOrder: ["table", "response"],
        defaultPlugin: "table",
        persistenceId: null
      }
    });
  } catch (error) {
    window.console && console.warn("YASGUI did not start; the plain form stays", error);
    box.hidden = true;
    plainForm();
    return;
  }
  form.hidden = true;

  // a tablist may hold only tabs: YASGUI's "+" goes beside it (appended tabs still land
  // in the list: with no element to insert before, YASGUI appends)
  var elements = yasgui.tabElements;
  if (elements && elements.addTabEl && elements._tabsListEl) {
    var add = elements.addTabEl;
    elements.addTabEl = null;
    add.removeAttribute("role");
    add.className = "addTabBox";
    elements._tabsListEl.parentNode.insertBefore(add, elements._tabsListEl.nextSibling);
  }
  // names for the controls YASR draws with each result
  var names = { "select.tableSizer": "Rows per page", "input.autocomplete": "SPARQL endpoint",
                ".tab input[type=text]": "Tab name" };
  function label() {
    Object.keys(names).forEach(function (selector) {
      box.querySelectorAll(selector).forEach(function (el) {
        if (!el.hasAttribute("aria-label")) { el.setAttribute("aria-label", names[selector]); }
      });
    });
  }
  label();
  new MutationObserver(label).observe(box, { childList: true, subtree: true });
  window.dmkgYasgui = yasgui;  // for the browser tests

  // the examples: choosing one opens it in a new tab named after it
  var select = document.getElementById("example-select");
  var groups = {};
  var blank = document.createElement("option");
  blank.value = "";
  blank.textContent = "(choose one to open it in a new tab)";
  select.appendChild(blank);
  config.examples.forEach(function (example, index) {
    var group = groups[example.group];
    if (!group) {
      group = groups[example.group] = document.createElement("optgroup");
      group.label = example.group;
      select.appendChild(group);
    }
    var option = document.createElement("option");
    option.value = String(index);
    option.textContent = example.title;
    group.appendChild(option);
  });
  select.addEventListener("change", function () {
    var example = config.examples[Number(select.value)];
    if (!select.value || !example) { return; }
    var tab = yasgui.addTab(true, { name: example.title.slice(0, 40) });
    tab.setQuery(example.query);
    select.value = "";
  });
})();
