// Optional, for the page that embeds a dispute card (docs/sharing.md): sizes each card's
// iframe to the card's height. Load it once, anywhere on the page:
//   <script async src="https://claims.example.org/static/js/embed-host.js"></script>
// Only a message from an iframe on this page, sent by the document at that iframe's own
// address, which is a dispute card (/embed/disputes/…), is obeyed, and the height is kept
// between 80 and 4000 pixels. (Not tied to where this script came from: static files may be
// served by a CDN.) Without this script the iframe keeps the snippet's fixed height and the
// card scrolls inside it.
(function () {
  "use strict";
  if (window.__claimTrackerEmbedHost) return;
  window.__claimTrackerEmbedHost = true;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "claim-tracker:embed-height") return;
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
