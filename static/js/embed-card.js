// Inside the embeddable dispute card (templates/claims/embed_card.html): tells the page that
// frames it how tall the card is, whenever that changes, so the host script
// (static/js/embed-host.js) can size the iframe. The message carries nothing but the height,
// so it may go to any parent; without a parent (the card opened on its own) nothing is sent.
(function () {
  "use strict";
  if (window.parent === window) return;
  var card = document.querySelector("[data-embed]");
  var last = 0;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage(
      { type: "claim-tracker:embed-height", embed: card ? card.getAttribute("data-embed") : "", height: height },
      "*"
    );
  }
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener("load", send);
  send();
})();
