// Copy buttons (data-copy="<input id>"): the Clipboard API where allowed, else the selection.
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
