/* miikg explorer: labels are set with textContent only, never parsed as markup. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("miikg-data").textContent);
  var UI = data.ui;
  var lang = data.lang;
  var meta = data.nodes;
  var edgeMeta = data.edges;
  var byId = {};
  meta.forEach(function (m) { byId[m.id] = m; });
  var nodes = new vis.DataSet(data.vis.nodes);
  var edges = new vis.DataSet(data.vis.edges);
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.vis.options);
  var state = { kinds: {}, facets: { stage: "", instrument: "", phase: "" }, source: "all", selected: null };
  data.kinds.forEach(function (k) { state.kinds[k.kind] = true; });

  function t(key) { return UI[lang][key] || UI.en[key] || key; }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function pick(obj) { return obj ? (obj[lang] || obj.en || obj.zh || "") : ""; }
  var fontPx = (data.vis.options.nodes.font || {}).size || 14;

  network.on("beforeDrawing", function (ctx) {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    drawFrames(ctx);
  });
  // The groups of a layout (the network view's departments): a framed area with a title,
  // drawn in network coordinates, so it pans, zooms and exports with the nodes.
  function drawFrames(ctx) {
    var layout = data.layouts && data.layouts[lang];
    if (!layout || !layout.groups) { return; }
    ctx.save();
    layout.groups.forEach(function (g) {
      ctx.fillStyle = "#f4f4f4";
      ctx.strokeStyle = "#999999";
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.rect(g.x, g.y, g.w, g.h);
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = "#222222";
      ctx.font = "bold " + fontPx + "px " + data.fonts[lang];
      ctx.textBaseline = "top";
      ctx.fillText(g.label, g.x + 8, g.y + 5);
    });
    ctx.restore();
  }
  network.once("afterDrawing", function () {
    window.miikgReadyAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  });

  // The first view: everything if its labels stay legible, else the best-linked part at
  // the smallest legible zoom (the rest is a pan or a zoom away).
  function firstView() {
    network.fit({ animation: false });
    var least = data.minLabelPx / fontPx;
    if (data.layouts && network.getScale() < least) {
      var p = data.start === null ? { x: 0, y: 0 } : network.getPositions([data.start])[data.start];
      network.moveTo({ position: p, scale: least, animation: false });
    }
  }

  function nodeVisible(m) {
    if (!state.kinds[m.kind]) { return false; }
    for (var f in state.facets) {
      if (state.facets[f] && m.facets[f].indexOf(state.facets[f]) < 0) { return false; }
    }
    if (state.source === "paper" && !m.paper) { return false; }
    if (state.source === "other" && !m.other) { return false; }
    return true;
  }

  function applyFilters() {
    var shown = {};
    var changes = [];
    var count = 0;
    meta.forEach(function (m) {
      var v = nodeVisible(m);
      shown[m.id] = v;
      if (v) { count += 1; }
      if (m.hidden !== !v) { m.hidden = !v; changes.push({ id: m.id, hidden: !v }); }
    });
    if (changes.length) { nodes.update(changes); }
    var echanges = [];
    edgeMeta.forEach(function (e) {
      var v = shown[e.from] && shown[e.to] &&
        (state.source === "all" || (state.source === "paper" ? e.paper : e.other));
      if (e.hidden !== !v) { e.hidden = !v; echanges.push({ id: e.id, hidden: !v }); }
    });
    if (echanges.length) { edges.update(echanges); }
    if (grouped) { group(); }
    window.miikgVisibleNodes = count;
    document.getElementById("count").textContent =
      t("count").replace("{n}", count).replace("{total}", meta.length);
  }

  // Grouping: one cluster node per kind, so very large views stay usable.
  var kindOf = {};
  meta.forEach(function (m) { kindOf[m.id] = m.kind; });
  var grouped = false;
  var open = {};  // cluster id → true while that group is closed into one node
  function groupId(kind) { return "group:" + kind; }
  function openGroup(id) {
    if (open[id]) { delete open[id]; network.openCluster(id); }
  }
  function ungroup() { Object.keys(open).forEach(openGroup); }
  function group() {
    ungroup();
    data.kinds.forEach(function (k) {
      var members = meta.filter(function (m) { return m.kind === k.kind && !m.hidden; });
      if (members.length < 2) { return; }
      network.cluster({
        joinCondition: function (n) { return kindOf[n.id] === k.kind && !byId[n.id].hidden; },
        clusterNodeProperties: {
          id: groupId(k.kind),
          label: pick(k) + " (" + members.length + ")",
          color: k.color,
          shape: "dot",
          size: 12 + Math.sqrt(members.length) * 2,
          font: { size: 16 },
        },
      });
      open[groupId(k.kind)] = true;
    });
  }
  function setGrouped(value) {
    grouped = value;
    document.getElementById("group").checked = value;
    if (value) { group(); } else { ungroup(); }
    window.miikgGrouped = value;
  }
  function openGroupOf(id) {
    if (kindOf[id] !== undefined) { openGroup(groupId(kindOf[id])); }
  }

  function buildLegend() {
    var list = document.getElementById("kinds");
    list.textContent = "";
    data.kinds.forEach(function (k) {
      var li = el("li");
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = state.kinds[k.kind];
      box.setAttribute("data-kind", k.kind);
      box.addEventListener("change", function () { state.kinds[k.kind] = box.checked; applyFilters(); });
      var sw = el("span", null, "swatch");
      sw.style.background = k.color;
      label.appendChild(box);
      label.appendChild(sw);
      label.appendChild(el("span", pick(k) + " (" + k.count + ")"));
      li.appendChild(label);
      list.appendChild(li);
    });
    var elist = document.getElementById("edge-kinds");
    elist.textContent = "";
    data.edgeKinds.forEach(function (k) {
      var li = el("li");
      var sw = el("span", null, "line");
      sw.style.borderTop = "3px " + (k.dash || "solid") + " " + k.color;
      sw.setAttribute("data-edge-kind", k.kind);
      li.appendChild(sw);
      li.appendChild(el("span", pick(k) + " (" + k.count + ")"));
      elist.appendChild(li);
    });
  }

  function buildFacets() {
    ["stage", "instrument", "phase"].forEach(function (f) {
      var select = document.getElementById("facet-" + f);
      select.textContent = "";
      var all = el("option", t("all"));
      all.value = "";
      select.appendChild(all);
      data.facets[f].forEach(function (v) {
        var o = el("option", pick(v));
        o.value = v.iri;
        select.appendChild(o);
      });
      select.value = state.facets[f];
      select.disabled = data.facets[f].length === 0;
    });
  }

  // The canvas changes width when the panel opens or closes: resize it and look again.
  function refit(id) {
    network.redraw();
    if (id === null || id === undefined) { firstView(); return; }
    var least = data.minLabelPx / fontPx;
    network.focus(id, { scale: Math.max(1.0, least), animation: false });
  }

  function showPanel(id) {
    var m = byId[id];
    var panel = document.getElementById("panel");
    if (!m) { panel.hidden = true; return; }
    panel.hidden = false;
    document.getElementById("panel-title").textContent = pick(m.label);
    document.getElementById("panel-kind").textContent = pick(m.cls);
    document.getElementById("panel-iri").textContent = m.iri;
    var dl = document.getElementById("panel-facts");
    dl.textContent = "";
    m.facts.forEach(function (f) {
      if (f.lang && f.lang !== lang) { return; }
      dl.appendChild(el("dt", pick(f.property)));
      var dd = el("dd", pick(f.value));
      var names = f.sources.map(function (s) {
        var src = data.sources[s];
        return src ? (src.locator || pick(src) || s) : s;
      });
      dd.appendChild(el("div", t("sources") + ": " + names.join("; "), "src"));
      dl.appendChild(dd);
    });
    if (!m.facts.length) { dl.appendChild(el("dd", t("noFacts"))); }
  }

  function highlight(id) {
    var keep = {};
    if (id !== null) {
      keep[id] = true;
      network.getConnectedNodes(id).forEach(function (n) { keep[n] = true; });
    }
    var changes = meta.map(function (m) {
      var dim = id !== null && !keep[m.id];
      return { id: m.id, color: dim ? "#e0e0e0" : m.color, font: { color: dim ? "#bbbbbb" : "#222222" } };
    });
    nodes.update(changes);
    // The selected node's relations are named on their lines; the legend names the rest.
    if (edgeMeta.length <= 2000) {
      edges.update(edgeMeta.map(function (e) {
        var on = id !== null && (e.from === id || e.to === id);
        return { id: e.id, label: on ? pick(e.label) : "" };
      }));
    }
  }

  function select(id) {
    if (id !== null && open[id]) {
      openGroup(id);
      return;
    }
    if (id !== null) { openGroupOf(id); }
    var was = state.selected;
    state.selected = id;
    showPanel(id);
    highlight(id);
    if (id !== null) { network.selectNodes([id]); }
    if (id !== null || was !== null) { refit(id); }
  }

  network.on("click", function (params) {
    select(params.nodes.length ? params.nodes[0] : null);
  });
  document.getElementById("close").addEventListener("click", function () {
    network.unselectAll();
    select(null);
  });

  var search = document.getElementById("search");
  var results = document.getElementById("results");
  function matches(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return []; }
    return meta.filter(function (m) {
      return m.names.some(function (n) { return n.toLowerCase().indexOf(q) >= 0; });
    }).slice(0, 20);
  }
  search.addEventListener("input", function () {
    results.textContent = "";
    matches(search.value).forEach(function (m) {
      var li = el("li");
      var b = el("button", pick(m.label));
      b.type = "button";
      b.setAttribute("data-id", m.id);
      b.addEventListener("click", function () { results.textContent = ""; select(m.id); });
      li.appendChild(b);
      results.appendChild(li);
    });
  });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = matches(search.value);
      results.textContent = "";
      if (found.length) { select(found[0].id); }
    }
  });

  // Export: the current view drawn again at EXPORT_SCALE times the screen's resolution,
  // with the title above and the legend (kinds, then relations) below.
  var EXPORT_SCALE = 2;
  function exportImage() {
    var canvas = container.querySelector("canvas");
    var ratio = network.canvas.pixelRatio;
    var own = network.canvas._determinePixelRatio;
    network.canvas._determinePixelRatio = function () { return ratio * EXPORT_SCALE; };
    network.redraw();
    var drawn = document.createElement("canvas");
    drawn.width = canvas.width;
    drawn.height = canvas.height;
    drawn.getContext("2d").drawImage(canvas, 0, 0);
    network.canvas._determinePixelRatio = own;
    network.redraw();
    var k = ratio * EXPORT_SCALE;
    var pad = 12 * k;
    var row = 22 * k;
    var entries = data.kinds.map(function (x) { return { kind: x, line: false }; })
      .concat(data.edgeKinds.map(function (x) { return { kind: x, line: true }; }));
    var perRow = 3;
    var legendH = Math.ceil(entries.length / perRow) * row + pad * 2;
    var titleH = 40 * k;
    var out = document.createElement("canvas");
    out.width = drawn.width;
    out.height = titleH + drawn.height + legendH;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    var face = "'" + data.fonts[lang] + "', 'Noto Sans CJK SC', sans-serif";
    ctx.fillStyle = "#222222";
    ctx.font = "bold " + (20 * k) + "px " + face;
    ctx.textBaseline = "middle";
    ctx.fillText(pick(data.title), pad, titleH / 2);
    ctx.drawImage(drawn, 0, titleH);
    ctx.font = (13 * k) + "px " + face;
    var colW = (out.width - 2 * pad) / perRow;
    entries.forEach(function (entry, i) {
      var x = pad + (i % perRow) * colW;
      var y = titleH + drawn.height + pad + Math.floor(i / perRow) * row + row / 2;
      ctx.fillStyle = entry.kind.color;
      ctx.strokeStyle = entry.kind.color;
      if (entry.line) {
        ctx.lineWidth = 3 * k;
        ctx.setLineDash(entry.kind.dash === "dashed" ? [8 * k, 5 * k] :
          entry.kind.dash === "dotted" ? [2 * k, 4 * k] : []);
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(x + 28 * k, y);
        ctx.stroke();
        ctx.setLineDash([]);
      } else {
        ctx.fillRect(x, y - 7 * k, 28 * k, 14 * k);
      }
      ctx.fillStyle = "#222222";
      ctx.fillText(pick(entry.kind) + " (" + entry.kind.count + ")", x + 36 * k, y);
    });
    window.miikgExportSize = { width: out.width, height: out.height, screen: { width: canvas.clientWidth, height: canvas.clientHeight } };
    return out;
  }
  document.getElementById("export").addEventListener("click", function () {
    var a = document.createElement("a");
    a.href = exportImage().toDataURL("image/png");
    a.download = "miikg-" + data.view + ".png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  });

  function setLang(value) {
    var changed = value !== lang;
    lang = value;
    document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
    document.querySelectorAll("[data-i18n]").forEach(function (e) {
      e.textContent = t(e.getAttribute("data-i18n"));
    });
    document.getElementById("title").textContent = pick(data.title);
    document.title = pick(data.title);
    search.placeholder = t("search");
    document.getElementById("layout").textContent = t("layout") + ": " + t(data.layout);
    if (data.layouts) {
      // Each language has its own layout: boxes fit their labels in that language.
      var box = data.layouts[lang];
      nodes.update(meta.map(function (m) {
        var i = m.id;
        return {
          id: i, label: pick(m.box), text: pick(m.label), x: box.x[i], y: box.y[i],
          widthConstraint: { minimum: box.w[i], maximum: box.w[i] },
          heightConstraint: { minimum: box.h[i], valign: "middle" },
          font: { face: data.fonts[lang], size: fontPx },
        };
      }));
    } else {
      nodes.update(meta.map(function (m) { return { id: m.id, label: pick(m.label), text: pick(m.label) }; }));
    }
    if (state.selected !== null) { highlight(state.selected); }
    buildLegend();
    buildFacets();
    applyFilters();
    if (state.selected !== null) { showPanel(state.selected); }
    if (changed) { refit(state.selected); }
  }
  document.getElementById("lang").addEventListener("change", function (ev) { setLang(ev.target.value); });
  document.querySelectorAll("select[data-facet]").forEach(function (s) {
    s.addEventListener("change", function () { state.facets[s.getAttribute("data-facet")] = s.value; applyFilters(); });
  });
  document.getElementById("facet-source").addEventListener("change", function (ev) {
    state.source = ev.target.value;
    applyFilters();
  });
  document.getElementById("group").addEventListener("change", function (ev) { setGrouped(ev.target.checked); });
  document.getElementById("lang").value = lang;
  setLang(lang);
  setGrouped(meta.length > data.groupAbove);
  firstView();
  window.miikgExplorer = {
    network: network, nodes: nodes, edges: edges, setLang: setLang, select: select, setGrouped: setGrouped,
    exportImage: exportImage, firstView: firstView,
  };
})();
