// The site's one script: what an htmx request that went wrong tells the person who made it.
//
// htmx swaps nothing for a 4xx/5xx answer (templates/base.html's htmx-config) and by itself
// shows nothing either, so a form that was too big, a session that ended or a server error
// would look like a button that did nothing. Every such answer, and a request that never
// reached the server, is said in words: in the form's own message slot (.request-limit) when
// the request came from a form that has one, else in the page's live region (#request-status).
// What was typed stays in the form.
(function () {
  "use strict";

  function verbOf(detail) {
    var config = detail.requestConfig || {};
    return String(config.verb || "get").toLowerCase();
  }

  function serverText(xhr) {
    // The 413 answer to an htmx request is one sentence naming the limit (claims/views/errors.py).
    var body = xhr && typeof xhr.responseText === "string" ? xhr.responseText : "";
    if (!body || body.length > 4000) return "";
    var text = new DOMParser().parseFromString(body, "text/html").body.textContent || "";
    return text.replace(/\s+/g, " ").trim();
  }

  // The words, in the page's language: templates/base.html puts them in #ui-messages's
  // data-words (claims/templatetags/claims_i18n.py); English if the page has none.
  var WORDS = {
    saved_not: "Nothing was saved",
    loaded_not: "This could not be loaded",
    kept: "What you typed is still in the form.",
    too_big: "Nothing was saved: this is more than the site accepts in one form. " +
      "Your text is still in the form; shorten it, or split it, and save again.",
    unreachable: "the server could not be reached. Check your connection and try again.",
    unreadable: "the server could not read the request (400). Reload the page and try again.",
    forbidden: "you may not do this, or your session has ended ({status}). " +
      "Reload the page, log in again if asked, and try again.",
    gone: "it is no longer there ({status}); someone may have deleted it. Reload the page.",
    too_many: "too many requests in a short time (429). Wait a minute and try again.",
    unavailable: "the site is unavailable for a moment (503). Try again in a minute.",
    server_error: "something went wrong on the server ({status}). Try again; if it happens again, tell an administrator.",
    refused: "the server refused the request ({status}). Reload the page and try again.",
    dismiss: "Dismiss"
  };

  function words() {
    var data = document.getElementById("ui-messages");
    if (!data) return WORDS;
    try {
      var found = JSON.parse(data.getAttribute("data-words"));
      return Object.assign({}, WORDS, found);
    } catch (e) {
      return WORDS;
    }
  }

  function message(status, verb, xhr) {
    var w = words();
    var writing = verb !== "get";
    var outcome = writing ? w.saved_not : w.loaded_not;
    var kept = writing ? " " + w.kept : "";
    function say(key) {
      return outcome + ": " + w[key].replace("{status}", String(status));
    }
    if (status === 413) return serverText(xhr) || w.too_big;
    if (status === 0) return say("unreachable") + kept;
    if (status === 400) return say("unreadable") + kept;
    if (status === 401 || status === 403) return say("forbidden") + kept;
    if (status === 404 || status === 410) return say("gone");
    if (status === 429) return say("too_many") + kept;
    if (status === 503) return say("unavailable") + kept;
    if (status >= 500) return say("server_error") + kept;
    return say("refused") + kept;
  }

  function slotFor(elt) {
    var form = elt && elt.closest ? elt.closest("form") : null;
    return form ? form.querySelector(".request-limit") : null;
  }

  function globalRegion() {
    return document.getElementById("request-status");
  }

  function show(elt, text) {
    var slot = slotFor(elt);
    if (slot) {
      slot.textContent = text;
      return;
    }
    var region = globalRegion();
    if (!region) return;
    // The region stays in the page, empty, so assistive technology announces what is put in it.
    var line = document.createElement("p");
    line.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link request-status-close";
    close.textContent = words().dismiss;
    region.replaceChildren(line, close);
  }

  function clear(elt) {
    var slot = slotFor(elt);
    if (slot) slot.textContent = "";
    var region = globalRegion();
    if (region) region.replaceChildren();
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    clear(event.detail.elt);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var detail = event.detail;
    show(detail.elt, message(detail.xhr ? detail.xhr.status : 0, verbOf(detail), detail.xhr));
  });
  document.addEventListener("htmx:sendError", function (event) {
    show(event.detail.elt, message(0, verbOf(event.detail), null));
  });
  document.addEventListener("htmx:timeout", function (event) {
    show(event.detail.elt, message(0, verbOf(event.detail), null));
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#request-status .request-status-close")) {
      globalRegion().replaceChildren();
    }
  });
})();
