// The print button of the member credit file page (a script file: the CSP allows no inline handlers).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-gx-print]")) window.print();
  });
})();
