// The query page: YASQE (editor) and YASR (results) from the vendored YASGUI, wired to
// this server only. Every completion list comes from the graph itself (/vocabulary.json);
// no request leaves the page's origin. Result IRIs are shown with their label and CURIE
// and link to the local entity page; only http(s) IRIs become links, and every string
// written into markup is escaped here first.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const CATALOGUE = JSON.parse($("catalogue-data").textContent);
  const CONFIG = JSON.parse($("page-config").textContent);
  const lang = document.querySelector(".query-page").dataset.lang === "zh" ? "zh" : "en";
  const UI = CONFIG.ui[lang];
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const Yasqe = Yasgui.Yasqe;
  const Yasr = Yasgui.Yasr;
  const labels = new Map();
  let current = null;

  function t(key, vars) {
    return UI[key].replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? String(vars[k]) : ""));
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function isHttp(iri) {
    return /^https?:\/\/[^\s]/i.test(iri);
  }

  function curie(iri) {
    let best = null;
    for (const [p, ns] of Object.entries(CONFIG.prefixes)) {
      if (iri.startsWith(ns) && iri.length > ns.length && (!best || ns.length > best[1].length)) best = [p, ns];
    }
    return best ? best[0] + ":" + iri.slice(best[1].length) : null;
  }

  function localHref(iri) {
    if (iri.startsWith(CONFIG.base)) {
      const rest = iri.slice(CONFIG.base.length);
      if (/^(id|ontology|graph)\//.test(rest)) return CONFIG.local + encodeURI(decodeURIComponent(rest)) + "?lang=" + lang;
    }
    return iri;
  }

  // Result cells: a label, the CURIE beside it, a link to the local page (http(s) only).
  Yasr.plugins.table.prototype.getCellContent = function (binding) {
    if (binding.type === "uri") {
      const iri = binding.value;
      const short = curie(iri);
      const label = labels.get(iri);
      const text = label && label !== short ? label : short || iri;
      const extra = text !== (short || iri) ? `<span class="curie">${esc(short || iri)}</span>` : "";
      if (!isHttp(iri)) return `<div><span class="iri-text">${esc(iri)}</span></div>`;
      const href = localHref(iri);
      const rel = href === iri ? ' rel="noreferrer nofollow"' : "";
      return `<div><a class="iri" href="${esc(href)}" title="${esc(iri)}"${rel}>${esc(text)}</a>${extra}</div>`;
    }
    if (binding.type === "bnode") return `<div><span class="iri-text">_:${esc(binding.value)}</span></div>`;
    let out = esc(binding.value);
    if (binding["xml:lang"]) out += `<sup>@${esc(binding["xml:lang"])}</sup>`;
    else if (binding.datatype && binding.datatype !== XSD + "string") out += `<sup>${esc(curie(binding.datatype) || binding.datatype)}</sup>`;
    return `<div><span class="nonIri">${out}</span></div>`;
  };

  const vocabulary = fetch(CONFIG.local + "vocabulary.json").then((r) => r.json());
  const prefixList = Object.entries(CONFIG.prefixes).map(([p, ns]) => `${p}: <${ns}>`).sort();
  Yasqe.registerAutocompleter({ ...Yasqe.Autocompleters.prefixes, name: "miikg-prefixes", persistenceId: null, get: () => prefixList }, false);
  Yasqe.registerAutocompleter({ ...Yasqe.Autocompleters.property, name: "miikg-properties", bulk: true, autoShow: true, persistenceId: null, get: () => vocabulary.then((v) => v.properties) }, false);
  Yasqe.registerAutocompleter({ ...Yasqe.Autocompleters.class, name: "miikg-classes", bulk: true, autoShow: true, persistenceId: null, get: () => vocabulary.then((v) => v.classes) }, false);

  function shareLink() {
    const here = location.href.split("#")[0];
    if (current && current.text === yasqe.getValue()) return here + "#q=" + encodeURIComponent(current.name);
    return here + "#query=" + encodeURIComponent(yasqe.getValue());
  }

  const yasqe = new Yasqe($("editor"), {
    value: CONFIG.defaultQuery,
    persistenceId: null,
    prefixCcApi: null,
    showQueryButton: false,
    resizeable: true,
    editorHeight: "300px",
    autocompleters: ["miikg-prefixes", "miikg-properties", "miikg-classes", "variables"],
    createShareableLink: () => shareLink(),
    createShortLink: undefined,
    consumeShareLink: null,
    extraKeys: { "Ctrl-Enter": () => run(), "Cmd-Enter": () => run(), "Ctrl-Space": (cm) => cm.autocomplete() },
  });
  const yasr = new Yasr($("results"), {
    persistenceId: null,
    prefixes: CONFIG.prefixes,
    pluginOrder: ["table", "response"],
    defaultPlugin: "table",
    // Cells shown whole: the ellipsis overlay would sit over the links to entity pages.
    plugins: { table: { dynamicConfig: { isEllipsed: false, pageSize: 50 } } },
    getPlainQueryLinkToEndpoint: undefined,
  });

  // YASR's own words are English in its bundle: in Chinese each is rewritten as it is
  // drawn (CONFIG.yasrZh: whole text → replacement), never a result cell or the raw response.
  const YASR_WORDS = lang === "zh" ? CONFIG.yasrZh.map(([p, r]) => [new RegExp("^" + p + "$"), r]) : [];
  const ATTRIBUTES = ["placeholder", "title", "aria-label"];
  function yasrWord(text) {
    const t = text.trim();
    for (const [re, r] of YASR_WORDS) if (re.test(t)) return text.replace(t, t.replace(re, r));
    return text;
  }
  // A result's cells, its column names and the raw response are data, not YASR's words.
  function isData(node) {
    return !node.parentElement || Boolean(node.parentElement.closest("td, th, .CodeMirror"));
  }
  function translateYasr() {
    const root = $("results");
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      if (isData(node)) continue;
      const t = yasrWord(node.textContent);
      if (t !== node.textContent) node.textContent = t;
    }
    for (const el of root.querySelectorAll(ATTRIBUTES.map((a) => `[${a}]`).join(","))) {
      if (el.closest("td, .CodeMirror")) continue;  // a header's sort label is YASR's
      for (const a of ATTRIBUTES) {
        const v = el.getAttribute(a);
        if (v === null) continue;
        const t = yasrWord(v);
        if (t !== v) el.setAttribute(a, t);
      }
    }
  }
  if (YASR_WORDS.length) {
    const watch = { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES };
    new MutationObserver(translateYasr).observe($("results"), watch);
    translateYasr();
  }

  function renderCatalogue() {
    const list = $("catalogue");
    list.replaceChildren();
    for (const q of CATALOGUE) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.name = q.name;
      if (current && current.name === q.name) button.className = "current";
      const title = document.createElement("span");
      title.textContent = q.title[lang] || q.name;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = q.name;
      const desc = document.createElement("span");
      desc.className = "desc";
      desc.textContent = q.description[lang] || "";
      button.append(title, name, desc);
      button.addEventListener("click", () => choose(q));
      const item = document.createElement("li");
      item.append(button);
      list.append(item);
    }
  }

  function renderParams() {
    const box = $("params");
    box.replaceChildren();
    if (!current) return;
    for (const p of current.params) {
      if (p.kind === "language") continue;
      const label = document.createElement("label");
      label.textContent = p.name + " ";
      const input = document.createElement("input");
      input.name = p.name;
      input.placeholder = p.doc[lang] || "";
      if (p.default) input.value = p.default;
      label.append(input);
      box.append(label);
    }
  }

  function choose(q) {
    current = q;
    yasqe.setValue(q.text);
    renderCatalogue();
    renderParams();
    if (!q.params.some((p) => p.kind !== "language" && !p.default && !p.optional)) run();
    else status("");
  }

  function literal(value, datatype) {
    return JSON.stringify(value) + (datatype ? "^^<" + datatype + ">" : "");
  }

  function form(query, bindings) {
    const body = new URLSearchParams();
    body.set("query", query);
    for (const [k, v] of Object.entries(bindings)) body.set("$" + k, v);
    return body;
  }

  async function post(query, bindings, accept) {
    return fetch(CONFIG.endpoint, { method: "POST", body: form(query, bindings), headers: { Accept: accept } });
  }

  async function bindingsFor(q) {
    const out = {};
    if (!q) return out;
    for (const p of q.params) {
      if (p.kind === "language") { out[p.name] = literal(lang); continue; }
      const input = $("params").querySelector(`input[name="${p.name}"]`);
      const value = (input ? input.value.trim() : "") || p.default || "";
      if (!value && p.optional) continue;
      if (!value) throw new Error(t("missing", { name: p.name }));
      if (p.kind === "integer") out[p.name] = literal(value, XSD + "integer");
      else if (p.kind === "string" || p.kind === "choice") out[p.name] = literal(value);
      else if (isHttp(value)) out[p.name] = "<" + value + ">";
      else {
        const resolver = CATALOGUE.find((c) => c.name === "resolve-entity");
        const reply = await post(resolver.text, { text: literal(value) }, "application/sparql-results+json");
        const rows = (await reply.json()).results.bindings;
        const byId = rows.filter((r) => r.match && r.match.value === "id");
        const found = (byId.length ? byId : rows).map((r) => r.entity.value);
        if (!found.length) throw new Error(t("nomatch", { value }));
        out[p.name] = "<" + found[0] + ">";
      }
    }
    return out;
  }

  function status(text, kind) {
    $("status").textContent = text;
    $("status").className = kind || "";
  }

  async function fetchLabels(data) {
    const iris = new Set();
    for (const b of (data.results && data.results.bindings) || []) {
      for (const term of Object.values(b)) if (term.type === "uri" && !labels.has(term.value)) iris.add(term.value);
    }
    if (!iris.size) return;
    const reply = await fetch(CONFIG.local + "labels", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ iris: [...iris], lang }),
    });
    if (reply.ok) for (const [iri, label] of Object.entries(await reply.json())) labels.set(iri, label);
  }

  function downloads(query, bindings, graph) {
    const box = $("downloads");
    box.replaceChildren(document.createTextNode(t("download") + ":"));
    const formats = graph ? ["turtle", "ntriples", "jsonld"] : ["json", "xml", "csv", "tsv"];
    const ext = { turtle: "ttl", ntriples: "nt", jsonld: "jsonld", json: "srj", xml: "srx", csv: "csv", tsv: "tsv" };
    for (const f of formats) {
      const params = form(query, bindings);
      params.set("format", f);
      const a = document.createElement("a");
      a.href = CONFIG.endpoint + "?" + params.toString();
      a.download = (current ? current.name : "query") + "." + ext[f];
      a.textContent = f.toUpperCase();
      a.dataset.format = f;
      box.append(a);
    }
  }

  function updateShare() {
    $("share").href = shareLink();
    for (const a of document.querySelectorAll(".langs a")) a.href = a.href.split("#")[0] + "#" + shareLink().split("#")[1];
  }

  async function run() {
    const query = yasqe.getValue();
    const started = performance.now();
    status(t("running"));
    let reply;
    let bindings;
    try {
      const q = current && current.text === query ? current : null;
      bindings = await bindingsFor(q);
      reply = await post(query, bindings, "application/sparql-results+json, text/turtle;q=0.9");
    } catch (err) {
      status(err.message || t("network"), "error");
      return;
    }
    const ms = Math.round(performance.now() - started);
    const text = await reply.text();
    const type = (reply.headers.get("content-type") || "").split(";")[0];
    updateShare();
    if (!reply.ok) {
      status(t("error", { status: reply.status }) + ": " + text, "error");
      yasr.setResponse({ error: { status: reply.status, text }, status: reply.status }, ms);
      return;
    }
    const graph = type === "text/turtle";
    downloads(query, bindings, graph);
    if (type === "application/sparql-results+json") {
      const data = JSON.parse(text);
      await fetchLabels(data);
      yasr.setResponse({ data: text, contentType: type, status: reply.status, executionTime: ms }, ms);
      if ("boolean" in data) status(t("boolean", { value: data.boolean ? t("yes") : t("no"), ms }));
      else status(t("rows", { n: data.results.bindings.length, ms }));
    } else {
      yasr.setResponse({ data: text, contentType: type, status: reply.status, executionTime: ms }, ms);
      status(t("triples", { n: new TextEncoder().encode(text).length, ms }));
    }
    const cut = reply.headers.get("miikg-truncated");
    if (cut) status($("status").textContent + " " + t("truncated", { why: cut }), "warn");
  }

  $("run").addEventListener("click", run);
  $("share").addEventListener("click", (e) => { updateShare(); e.preventDefault(); history.replaceState(null, "", shareLink()); });
  yasqe.on("change", () => { if (current && current.text !== yasqe.getValue()) { current = null; renderCatalogue(); } });
  renderCatalogue();
  updateShare();
  // #q=<name> opens a named query, #query=<text> any query: the links the page shares.
  const hash = new URLSearchParams(location.hash.slice(1));
  const named = CATALOGUE.find((q) => q.name === hash.get("q"));
  if (named) choose(named);
  else if (hash.get("query")) { yasqe.setValue(hash.get("query")); run(); }
  window.miikgQuery = { yasqe, yasr, run, choose: (name) => choose(CATALOGUE.find((q) => q.name === name)) };
})();
