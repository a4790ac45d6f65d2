// The cleanup audit's selection: "select all", the selection count, and the buttons that
// need a selection.
(function () {
  var form = document.getElementById("cleanup-form");
  if (!form) { return; }
  var boxes = form.querySelectorAll('input[name="findings"]');
  var all = form.querySelector("[data-select-all]");
  var counter = form.querySelector('[data-testid="selection-count"]');
  function update() {
    var n = form.querySelectorAll('input[name="findings"]:checked').length;
    if (counter) { counter.textContent = n ? n + " selected" : ""; }
    form.querySelectorAll("[data-needs-selection]").forEach(function (b) { b.disabled = n === 0; });
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  update();
})();
