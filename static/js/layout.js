// Every console page (templates/base.html). No inline script: the CSP allows only files.
//
// The main navigation is a <details> menu, open in the HTML so that it works without this
// script: on a wide screen it stays open (its summary is hidden by console.css), on a narrow
// one it starts closed behind its "Menu" button.
//
// A wide table scrolls inside its .table-wrap instead of widening the page; when it does
// scroll, the container becomes a named, focusable region so that a keyboard can scroll it
// too (WCAG 2.1.1; axe's scrollable-region-focusable).
(function () {
  "use strict";

  var WIDE = window.matchMedia("(min-width: 761px)");

  function syncMenu() {
    var menu = document.querySelector("[data-nav-menu]");
    if (menu) {
      menu.open = WIDE.matches;
    }
  }

  function regionName(wrap) {
    var table = wrap.querySelector("table");
    if (table && table.getAttribute("aria-label")) {
      return table.getAttribute("aria-label");
    }
    if (table && table.caption && table.caption.textContent.trim()) {
      return table.caption.textContent.trim();
    }
    // The nearest heading before the table, in its section or anywhere above it.
    var node = wrap;
    while (node && node !== document.body) {
      var previous = node.previousElementSibling;
      while (previous) {
        var heading = /^H[1-6]$/.test(previous.tagName) ? previous : previous.querySelector && previous.querySelector("h1, h2, h3, h4");
        if (heading && heading.textContent.trim()) {
          return heading.textContent.trim();
        }
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return "Table";
  }

  function markScrollingTables() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", regionName(wrap) + " (scrolls sideways)");
        wrap.setAttribute("data-scrolls", "");
      } else if (!scrolls && wrap.hasAttribute("data-scrolls")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        wrap.removeAttribute("data-scrolls");
      }
    }
  }

  function start() {
    syncMenu();
    markScrollingTables();
  }

  if (WIDE.addEventListener) {
    WIDE.addEventListener("change", syncMenu);
  }
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(markScrollingTables, 100);
  });
  // Fonts and images may still change a table's width after DOMContentLoaded.
  window.addEventListener("load", markScrollingTables);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
