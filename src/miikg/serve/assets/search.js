// The static site's search: the index travels inside the page as JSON (so it works from a
// folder opened in a browser, where a page may not fetch files), matched here by
// substring on labels in both languages, alternative and former names, and ids.
"use strict";
(function () {
  const index = JSON.parse(document.getElementById("search-index").textContent);
  const zh = document.documentElement.lang.startsWith("zh");
  const input = document.getElementById("q");
  const hits = document.getElementById("hits");
  const fold = (s) => s.normalize("NFKC").toLowerCase();

  function search(text) {
    const wanted = fold(text.trim());
    hits.replaceChildren();
    if (!wanted) return;
    const found = index.filter((e) =>
      [e.en, e.zh, e.p, ...e.a].some((name) => fold(name).includes(wanted)));
    found.sort((a, b) => a.p.length - b.p.length || a.p.localeCompare(b.p));
    if (!found.length) {
      const p = document.createElement("p");
      p.textContent = hits.dataset.none;
      hits.append(p);
      return;
    }
    const list = document.createElement("ul");
    list.className = "hits";
    for (const e of found.slice(0, 200)) {
      const item = document.createElement("li");
      const a = document.createElement("a");
      a.href = e.p.split("/").map(encodeURIComponent).join("/") + (zh ? ".zh.html" : ".html");
      a.textContent = zh ? e.zh : e.en;
      const small = document.createElement("small");
      small.textContent = e.i;
      item.append(a, small);
      list.append(item);
    }
    hits.append(list);
  }

  const text = new URLSearchParams(location.search).get("q") || "";
  input.value = text;
  input.addEventListener("input", () => search(input.value));
  search(text);
})();
