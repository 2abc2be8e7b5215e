// Gongxin (公信): send Django's CSRF token with every HTMX request.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) return meta.content;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });
})();

// Stacked tables on phones: every list table carries class "gx-list"; below 576 px each row
// becomes a card and each cell shows its column's heading (CSS reads data-label). The labels
// are copied here from the table's own <th>, so templates keep one source for them.
(function () {
  "use strict";

  function label(root) {
    (root || document).querySelectorAll("table.gx-list").forEach(function (table) {
      var heads = [];
      var headRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!headRow) return;
      Array.prototype.forEach.call(headRow.cells, function (th) {
        for (var k = 0; k < (th.colSpan || 1); k++) heads.push(th.textContent.trim());
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (tr) {
          var column = 0;
          Array.prototype.forEach.call(tr.cells, function (cell) {
            if (heads[column] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[column]);
            column += cell.colSpan || 1;
          });
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:afterSwap", function (event) { label(event.target); });
})();
