// Copy buttons: <button data-copy="ID"> copies the value (or text) of the element with that id,
// through the Clipboard API where allowed, else the selection and execCommand.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    var text = "value" in field ? field.value : field.textContent.trim();
    var report = function (ok) { button.textContent = ok ? "Copied" : "Press Ctrl+C"; };
    if (field.select) {
      field.focus();
      field.select();
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { report(true); },
        function () { report(document.execCommand("copy")); }
      );
    } else {
      report(document.execCommand("copy"));
    }
  });
});
