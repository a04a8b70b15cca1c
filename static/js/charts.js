/*
 * Draws the Plotly figures on a page. Each <div data-chart="ID"> names a <script
 * type="application/json" id="ID"> (Django's json_script) holding {data, layout}. No inline
 * script is needed, so the Content Security Policy stays strict. Without JavaScript, the data
 * tables beside each chart carry the same numbers.
 */
(function () {
  'use strict';
  if (!window.Plotly) {
    return;
  }
  document.querySelectorAll('[data-chart]').forEach(function (element) {
    var source = document.getElementById(element.getAttribute('data-chart'));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    element.classList.add('app-chart--drawn');
    window.Plotly.newPlot(element, figure.data, figure.layout, {
      displayModeBar: false,
      responsive: true
    });
  });
})();
