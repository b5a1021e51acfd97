// Material's Chinese search index separates words with zero-width spaces (U+200B): they
// would stay in the result titles people read, copy and hear from a screen reader. And a
// result whose own text lacks the query gets a link with an empty ?h=, so the page it opens
// highlights nothing: that link gets the query as typed instead.
(function () {
  "use strict";
  var list = document.querySelector(".md-search-result__list");
  var input = document.querySelector("input.md-search__input");
  if (!list || !input) return;
  function mend() {
    var walker = document.createTreeWalker(list, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeValue.indexOf("\u200b") >= 0) {
        node.nodeValue = node.nodeValue.replace(/\u200b/g, "");
      }
    }
    var query = input.value.trim();
    list.querySelectorAll("a[href]").forEach(function (a) {
      var url = new URL(a.getAttribute("href"), location.href);
      if (query && url.searchParams.has("h") && !url.searchParams.get("h")) {
        url.searchParams.set("h", query);
        a.setAttribute("href", url.href);
      }
    });
  }
  new MutationObserver(mend).observe(list, { childList: true, subtree: true, characterData: true });
})();
