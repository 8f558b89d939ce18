// Optional, for the page that embeds a dispute card (docs/sharing.md): sizes each card's
// iframe to the card's height. Load it once, anywhere on the page:
//   <script async src="https://claims.example.org/static/js/embed-host.js"></script>
// Only messages from an iframe on this page whose address is a card of the site this script
// came from are obeyed, and the height is kept between 80 and 4000 pixels. Without this
// script the iframe keeps the fixed height of the snippet and the card scrolls inside it.
(function () {
  "use strict";
  if (window.__claimTrackerEmbedHost) return;
  window.__claimTrackerEmbedHost = true;
  var script = document.currentScript;
  var origin = script ? new URL(script.src, document.baseURI).origin : null;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "claim-tracker:embed-height") return;
    if (origin && event.origin !== origin) return;
    var height = Number(data.height);
    if (!isFinite(height)) return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source) continue;
      var src;
      try { src = new URL(frame.src, document.baseURI); } catch (e) { return; }
      if (src.origin !== event.origin || src.pathname.indexOf("/embed/disputes/") !== 0) return;
      frame.style.height = Math.min(4000, Math.max(80, Math.ceil(height))) + "px";
      frame.setAttribute("data-embed-sized", "true");
      return;
    }
  });
})();
