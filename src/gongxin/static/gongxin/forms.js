// Gongxin (公信): small form helpers, loaded on every page (no inline script: the CSP forbids it).
//
// 1. <details data-gx-open-when="conclusion=basic_pass"> opens when the radio "conclusion" is
//    set to basic_pass (the review form's reasons), so the next question is in view.
// 2. <select data-gx-search> gets a type-to-search box above it: typing filters the options
//    (by any part of the label, ignoring case); with data-gx-filter-by="<name of another
//    select>" and options carrying data-region, choosing a region there keeps only its options.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=radio]")) return;
    document.querySelectorAll("details[data-gx-open-when]").forEach(function (details) {
      var rule = details.getAttribute("data-gx-open-when").split("=");
      if (rule[0] === input.name && rule[1].split(",").indexOf(input.value) >= 0) details.open = true;
    });
  });

  function normalise(text) {
    return (text || "").toLowerCase().replace(/\s+/g, "");
  }

  // GB/T 2260 codes: "440400" covers "4404xx"; a region and the regions above or below it are related.
  function prefix(code) {
    return code === "100000" ? "" : code.replace(/(00)+$/, "");
  }

  function related(region, optionRegion) {
    if (!region || !optionRegion) return true;
    var a = prefix(region), b = prefix(optionRegion);
    return a.indexOf(b) === 0 || b.indexOf(a) === 0;
  }

  // A select of the options' own jurisdictions, when they come from more than one.
  function regionFilter(select, options, box) {
    var names = {};
    options.forEach(function (option) {
      var code = option.getAttribute("data-region");
      if (code) names[code] = option.getAttribute("data-region-name") || code;
    });
    var codes = Object.keys(names).sort();
    if (codes.length < 2) return null;
    var filter = document.createElement("select");
    filter.className = "form-select form-select-sm mb-1";
    filter.setAttribute("aria-label", select.getAttribute("data-gx-all-regions") || "");
    filter.setAttribute("data-testid", "region-filter-" + select.name);
    var all = document.createElement("option");
    all.value = "";
    all.textContent = select.getAttribute("data-gx-all-regions") || "—";
    filter.appendChild(all);
    codes.forEach(function (code) {
      var option = document.createElement("option");
      option.value = code;
      option.textContent = names[code];
      filter.appendChild(option);
    });
    box.parentNode.insertBefore(filter, box);
    return filter;
  }

  function enhance(select) {
    var options = Array.prototype.slice.call(select.options);
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = select.getAttribute("data-gx-search") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    box.setAttribute("data-testid", "search-" + select.name);
    select.parentNode.insertBefore(box, select);
    var count = document.createElement("div");
    count.className = "form-text";
    count.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(count, select.nextSibling);
    var filterBy = select.getAttribute("data-gx-filter-by");
    var other = filterBy ? select.form && select.form.elements[filterBy] : null;
    if (!other) other = regionFilter(select, options, box);

    function apply() {
      var words = normalise(box.value);
      var region = other ? other.value : "";
      var shown = 0;
      options.forEach(function (option) {
        var keep = !option.value || option.selected ||
          ((!words || normalise(option.text).indexOf(words) >= 0) && related(region, option.getAttribute("data-region")));
        option.hidden = !keep;
        option.disabled = !keep && !option.selected;
        if (keep && option.value) shown += 1;
      });
      count.textContent = (select.getAttribute("data-gx-count") || "%s").replace("%s", shown);
    }

    box.addEventListener("input", apply);
    if (other) other.addEventListener("change", apply);
    apply();
  }

  document.querySelectorAll("select[data-gx-search]").forEach(enhance);
})();
