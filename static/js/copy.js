// Copy buttons ([data-copy] naming the field to copy): the Clipboard API where allowed,
// else the selection and execCommand. A static file, so the Content-Security-Policy needs
// no inline script.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    var report = function (ok) { button.textContent = ok ? "Copied" : "Press Ctrl+C"; };
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { report(true); },
        function () { report(document.execCommand("copy")); }
      );
    } else {
      report(document.execCommand("copy"));
    }
  });
});
