// The header's badge: the console streams the unread count (server-sent events) and this shows it.
(function () {
  "use strict";
  var badge = document.querySelector("[data-unread-stream]");
  if (!badge || !window.EventSource) { return; }
  var count = badge.querySelector("[data-unread]");
  var source = new EventSource(badge.getAttribute("data-unread-stream"));
  source.addEventListener("unread", function (event) {
    var unread = parseInt(event.data, 10) || 0;
    count.textContent = String(unread);
    count.hidden = unread === 0;
    badge.classList.toggle("has-unread", unread > 0);
  });
})();
