// Typed text reads in its own direction: a field marked data-text-dir gets dir="rtl" while
// its text starts (at its first letter) in a right-to-left script, else dir="ltr".
//
// Not dir="auto" on the field itself: Chromium re-measures a dir="auto" field's whole value
// on every change, and a 2.5 MB value stalled the page for minutes (issue 8). Only the first
// letter decides, and only the first LOOK characters are looked at. Shown text (quotes,
// names) keeps dir="auto" / its language's direction from the server (docs/languages.md).
(function () {
  "use strict";

  var LOOK = 2000;
  var LETTER = /\p{L}/u;
  var RTL = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Yezidi}]/u;

  function directionOf(text) {
    var head = text.slice(0, LOOK);
    var match = LETTER.exec(head);
    if (!match) return "";
    return RTL.test(match[0]) ? "rtl" : "ltr";
  }

  function update(field) {
    var dir = directionOf(field.value || "");
    if (dir) {
      field.dir = dir;
    } else {
      field.removeAttribute("dir");
    }
  }

  function updateAll(root) {
    var fields = (root || document).querySelectorAll("[data-text-dir]");
    for (var i = 0; i < fields.length; i++) update(fields[i]);
  }

  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-text-dir")) update(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () { updateAll(document); });
  // Forms htmx swaps in (the editing forms) are set as they arrive.
  document.addEventListener("htmx:load", function (event) { updateAll(event.target); });
  if (document.readyState !== "loading") updateAll(document);
})();
