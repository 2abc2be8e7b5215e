// The yearly chart of the purchase of services statistics page (procurement:public_stats).
// The figures come from the json_script element beside the chart: no inline script (CSP).
(function () {
  "use strict";

  var el = document.getElementById("procurement-stats-chart");
  var source = document.getElementById("procurement-stats-data");
  if (!el || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  // The share as the table prints it: one decimal (78.0%, not 78%).
  function percent(value) { return value === null || value === undefined ? "—" : Number(value).toFixed(1) + "%"; }
  // Set through the CSSOM (allowed by the CSP, unlike a style attribute in the markup).
  el.style.height = "380px";
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#1d3f72", "#6c8ebf", "#8f1d21", "#d4a017"],
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 60, right: 60, top: 60, bottom: 30 },
    xAxis: { type: "category", data: data.years },
    yAxis: [
      { type: "value", name: labels.amount },
      // Up to 120 so that a label over a share near 100% stays inside the chart.
      { type: "value", name: "%", min: 0, max: 120, interval: 20, splitLine: { show: false },
        axisLabel: { formatter: function (v) { return v <= 100 ? v : ""; } } }
    ],
    series: [
      { name: labels.budget, type: "bar", data: data.budget },
      { name: labels.awarded, type: "bar", data: data.awarded },
      { name: labels.organizations, type: "bar", data: data.organizations },
      { name: labels.share, type: "line", yAxisIndex: 1, data: data.share, connectNulls: false, z: 10,
        tooltip: { valueFormatter: percent },
        // Above the point, on a white ground, so that the bars behind do not hide it.
        label: { show: true, position: "top", distance: 8, formatter: function (p) { return percent(p.value); },
                 backgroundColor: "rgba(255,255,255,.9)", padding: [2, 4], borderRadius: 3, color: "#8f1d21" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
