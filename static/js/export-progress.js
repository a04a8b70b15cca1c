/*
 * Bulk export progress: asks the status URL every two seconds and updates the text (a polite
 * live region) and the progress bar. When the export has finished, reloads the page, which then
 * shows the download or the reason it failed. Without JavaScript the page has a "Check progress
 * again" link instead.
 */
(function () {
  'use strict';

  var box = document.getElementById('export-progress');
  if (!box || !window.fetch) {
    return;
  }
  var text = document.getElementById('export-progress-text');
  var bar = box.querySelector('progress');
  var stalled = document.getElementById('export-stalled');
  var tag = document.querySelector('#export-status .govuk-tag');
  var url = box.getAttribute('data-status-url');

  function describe(data) {
    if (data.status === 'queued') {
      return 'Waiting to start';
    }
    var line = data.done + ' of ' + data.total + ' clients done';
    return data.current ? line + ': now preparing ' + data.current : line;
  }

  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('status ' + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (data.finished) {
          window.location.reload();
          return;
        }
        var line = describe(data);
        if (text.textContent.trim() !== line) {
          text.textContent = line;
        }
        bar.max = data.total || 1;
        bar.value = data.done;
        bar.textContent = Math.round((100 * data.done) / (data.total || 1)) + '%';
        stalled.textContent = data.stalled;
        stalled.classList.toggle('govuk-!-display-none', !data.stalled);
        if (tag) {
          tag.textContent = data.status_label;
          tag.classList.toggle('govuk-tag--grey', data.status === 'queued');
          tag.classList.toggle('govuk-tag--blue', data.status === 'running');
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        // A blip (network, deploy): try again a little later rather than give up.
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
