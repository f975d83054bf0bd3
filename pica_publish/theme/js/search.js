// Progressive search: without JavaScript the page explains itself and links to the contents.
// With it, Pagefind's UI (served from this site's /pagefind/) searches the prebuilt index.
(function () {
  "use strict";
  var target = document.getElementById("search");
  if (!target || typeof PagefindUI === "undefined") return;
  var notice = document.getElementById("search-noscript");
  if (notice) notice.hidden = true;
  new PagefindUI({
    element: "#search",
    // Result URLs are indexed from the site root; the site may live in a sub-folder of its host.
    baseUrl: new URL(target.getAttribute("data-base") || "./", location.href).pathname,
    showImages: false,
    showSubResults: true,
    resetStyles: false
  });
})();
