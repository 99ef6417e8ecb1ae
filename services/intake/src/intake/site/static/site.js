// Progressive enhancement only: every form works without this script. With it, a posted form's
// answer replaces the page's header and main part (the same server endpoints, no reload), focus
// moves to the new heading or error summary, and the receipt page gets a print button. The form's
// steps have addresses of their own (the server redirects after each post), so each new address
// becomes a history entry, and Back and Forward load that step again with the answers kept.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function enhance(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function focusNewContent(main) {
    var target = main.querySelector("[data-focus]") || main.querySelector("h1");
    window.scrollTo(0, 0);
    if (target) { target.focus(); }
  }

  // Swap in the page's header (its language switch belongs to the page) and main part.
  function show(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.querySelector("main");
    if (!main) { throw new Error("no main"); }
    var header = page.querySelector("header.site-header");
    if (header) { document.querySelector("header.site-header").replaceWith(header); }
    document.querySelector("main").replaceWith(main);
    document.title = page.title;
    enhance(main);
    focusNewContent(main);
  }

  function pageText(response) {
    var type = response.headers.get("content-type") || "";
    if (type.indexOf("text/html") !== 0) { throw new Error("not a page"); }
    return response.text();
  }

  function here() { return window.location.pathname + window.location.search; }
  var shown = here(); // the address whose page is on screen; a jump to a #fragment keeps it

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    // getAttribute: the form's "action" button would shadow form.action.
    if (!form.hasAttribute("data-enhance") || form.getAttribute("method") !== "post") { return; }
    // A language switch loads the whole page: its language and direction change.
    if (submitter && (submitter.value || "").indexOf("language:") === 0) { return; }
    event.preventDefault();
    var body = new FormData(form, submitter);
    var buttons = document.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    var address;
    fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { address = response.url; return pageText(response); })
      .then(function (html) {
        show(html);
        if (address && address !== window.location.href) { window.history.pushState({ step: true }, "", address); }
        shown = here();
      })
      .catch(function () {
        // Fall back to an ordinary page load, which shows whatever the server answered.
        buttons.forEach(function (button) { button.disabled = false; });
        form.removeAttribute("data-enhance");
        form.requestSubmit(submitter);
      });
  });

  window.addEventListener("popstate", function () {
    if (here() === shown) { return; }
    shown = here();
    fetch(window.location.href, { credentials: "same-origin" })
      .then(pageText)
      .then(show)
      .catch(function () { window.location.reload(); });
  });

  enhance(document);
})();
