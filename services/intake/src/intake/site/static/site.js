// Progressive enhancement only: every form works without this script. With it, a posted form's
// answer replaces the page's main part (the same server endpoints, no reload), focus moves to the
// new heading or error summary, and the receipt page gets a print button.
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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // getAttribute: the form's "action" button would shadow form.action.
    if (!form.hasAttribute("data-enhance") || form.getAttribute("method") !== "post") { return; }
    event.preventDefault();
    var submitter = event.submitter;
    var body = new FormData(form, submitter);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (type.indexOf("text/html") !== 0) { throw new Error("not a page"); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var main = page.querySelector("main");
        if (!main) { throw new Error("no main"); }
        document.querySelector("main").replaceWith(main);
        document.title = page.title;
        enhance(main);
        focusNewContent(main);
      })
      .catch(function () {
        // Fall back to an ordinary page load, which shows whatever the server answered.
        buttons.forEach(function (button) { button.disabled = false; });
        form.removeAttribute("data-enhance");
        form.requestSubmit(submitter);
      });
  });

  enhance(document);
})();
