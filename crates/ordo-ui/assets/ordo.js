// Keeps a station's scan input focused: on load, after every swap htmx makes, and when focus
// would otherwise be lost, so a scanner's next code always lands in it. Nothing reacts to single
// keys: a scanned code is typed text followed by Enter, and only Enter submits.
(function () {
  function scanInput() { return document.querySelector("input[data-scan]"); }
  function refocus() {
    var input = scanInput();
    if (input && document.activeElement !== input) { input.focus(); input.select(); }
  }
  document.addEventListener("DOMContentLoaded", refocus);
  document.addEventListener("htmx:afterSettle", refocus);
  // A click on the page's background hands focus back; clicks on links, buttons and fields don't.
  document.addEventListener("click", function (e) {
    if (!e.target.closest("a, button, input, select, textarea, label, summary")) { refocus(); }
  });
})();
