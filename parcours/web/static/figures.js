// Draw the Plotly figures embedded in the page as JSON (plotly.js is served by this server).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Plotly === "undefined") { return; }
  document.querySelectorAll("script.plotly-figure").forEach(function (block, index) {
    var figure;
    try { figure = JSON.parse(block.textContent); } catch (e) { return; }
    var target = document.createElement("div");
    target.className = "plot";
    target.id = "figure-" + index;
    block.parentNode.appendChild(target);
    var layout = figure.layout || {};
    layout.autosize = true;
    Plotly.newPlot(target, figure.data || [], layout, {
      responsive: true, displaylogo: false, showLink: false, showSendToCloud: false,
      modeBarButtonsToRemove: ["sendDataToCloud"]
    });
  });
});
