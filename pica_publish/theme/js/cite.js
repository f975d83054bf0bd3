// "Copy citation": a button beside the article's suggested citation. Without JavaScript (or
// without a clipboard: pages opened over plain http from another host) there is no button, and
// the citation is ordinary text to select; the BibTeX and RIS links work either way.
(function () {
  "use strict";
  var block = document.querySelector(".cite-as");
  var citation = block && block.querySelector(".citation-text");
  if (!citation || !navigator.clipboard || !window.isSecureContext) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "copy-citation";
  button.textContent = "Copy citation";
  var status = document.createElement("span");
  status.className = "copy-status";
  status.setAttribute("role", "status");
  button.addEventListener("click", function () {
    var text = citation.textContent.replace(/\s+/g, " ").trim();
    navigator.clipboard.writeText(text).then(
      function () { status.textContent = "Copied"; },
      function () { status.textContent = "Select the citation to copy it"; }
    );
  });
  var actions = document.createElement("div");
  actions.className = "cite-actions";
  actions.appendChild(button);
  actions.appendChild(document.createTextNode(" "));
  actions.appendChild(status);
  citation.insertAdjacentElement("afterend", actions);
})();
