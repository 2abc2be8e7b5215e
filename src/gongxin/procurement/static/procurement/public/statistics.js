// The yearly chart of the purchase of services statistics page (procurement:public_stats).
// The figures come from the json_script element beside the chart: no inline script (CSP).
(function () {
  "use strict";

  var el = document.getElementById("procurement-stats-chart");
  var source = document.getElementById("procurement-stats-data");
  if (!el || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  // Set through the CSSOM (allowed by the CSP, unlike a style attribute in the markup).
  el.style.height = "380px";
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#1d3f72", "#6c8ebf", "#8f1d21", "#d4a017"],
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 60, right: 60, top: 50, bottom: 30 },
    xAxis: { type: "category", data: data.years },
    yAxis: [
      { type: "value", name: labels.amount },
      { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false } }
    ],
    series: [
      { name: labels.budget, type: "bar", data: data.budget },
      { name: labels.awarded, type: "bar", data: data.awarded },
      { name: labels.organizations, type: "bar", data: data.organizations },
      { name: labels.share, type: "line", yAxisIndex: 1, data: data.share, connectNulls: false,
        label: { show: true, formatter: "{c}%" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
