// Draws the AsyncAPI document embedded in the page with the vendored viewer (no network: the page is sandboxed).
(function () {
  var schema = document.getElementById("asyncapi-document").textContent;
  AsyncApiStandalone.render({ schema: schema, config: { show: { sidebar: false, errors: true } } }, document.getElementById("asyncapi"));
})();
