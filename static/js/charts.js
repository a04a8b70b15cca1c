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

  // Long names wrap onto lines of at most `size` characters (Plotly breaks lines at <br>).
  function wrap(label, size) {
    var lines = [];
    String(label).split(' ').forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + ' ' + word).length <= size) {
        lines[last] += ' ' + word;
      } else {
        lines.push(word);
      }
    });
    return lines.join('<br>');
  }

  // Fit the figure to the width it is drawn in, down to a 320 px screen (WCAG 1.4.10 Reflow):
  // names wrap, narrow screens get a smaller font, and the radar keeps room for its labels,
  // which Plotly draws outside the plot area and would otherwise clip.
  function fit(figure, width) {
    var narrow = width < 480;
    var font = narrow ? 13 : 16;
    var size = narrow ? 11 : 16;
    var longest = 0;
    var lines = 1;
    figure.layout.font = Object.assign({}, figure.layout.font, { size: font });
    figure.layout.autosize = true;
    delete figure.layout.width;
    figure.data.forEach(function (trace) {
      ['theta', 'y'].forEach(function (key) {
        if (trace[key] && typeof trace[key][0] === 'string') {
          trace[key] = trace[key].map(function (name) {
            var wrapped = wrap(name, size).split('<br>');
            wrapped.forEach(function (line) {
              longest = Math.max(longest, line.length);
            });
            lines = Math.max(lines, wrapped.length);
            return wrapped.join('<br>');
          });
        }
      });
      if (trace.name) {
        trace.name = wrap(trace.name, narrow ? 24 : 40);
      }
    });
    if (figure.layout.yaxis && lines > 1) {
      // Rows of category names (the box chart) grow to hold their wrapped lines.
      var rows = figure.data[0].y.length;
      figure.layout.height = Math.max(
        figure.layout.height || 0, 120 + rows * (lines + 1) * font * 1.3
      );
    }
    if (figure.layout.polar) {
      // Room beside the circle for the widest label line, above and below it for the tallest
      // label, and below that for the legend.
      var side = Math.ceil(longest * font * 0.55) + 10;
      var above = Math.ceil((lines + 1) * font * 1.3);
      var legend = figure.data.length > 1 ? 4 * font * 1.3 : 0;
      var diameter = Math.min(Math.max(width - 2 * side, 120), 480);
      figure.layout.margin = { l: side, r: side, t: above, b: above + legend };
      figure.layout.height = diameter + 2 * above + legend;
      figure.layout.legend = Object.assign({}, figure.layout.legend, {
        yanchor: 'top', y: -above / diameter
      });
    }
    return figure;
  }

  document.querySelectorAll('[data-chart]').forEach(function (element) {
    var source = document.getElementById(element.getAttribute('data-chart'));
    if (!source) {
      return;
    }
    var figure = fit(JSON.parse(source.textContent), element.clientWidth);
    element.classList.add('app-chart--drawn');
    window.Plotly.newPlot(element, figure.data, figure.layout, {
      displayModeBar: false,
      responsive: true
    });
  });
})();
