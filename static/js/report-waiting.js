/*
 * The board report's waiting page: asks the report link every two seconds whether the PDF is
 * ready (a HEAD request, so nothing is downloaded twice) and, when it is, goes to it, which
 * downloads it and leaves this page in place. If the drawing failed, reloads the page, which
 * then says why. Without JavaScript the page has a "Check again" link instead; a timed
 * <meta http-equiv="refresh"> would fail WCAG 2.2.1 (Timing adjustable).
 */
(function () {
  'use strict';

  var box = document.getElementById('report-waiting');
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute('data-check-url');

  function check() {
    fetch(url, { method: 'HEAD', credentials: 'same-origin' })
      .then(function (response) {
        var type = response.headers.get('Content-Type') || '';
        if (response.ok && type.indexOf('application/pdf') === 0) {
          window.location.assign(url);
        } else if (response.status === 202) {
          window.setTimeout(check, 2000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        // A blip (network, deploy): try again a little later rather than give up.
        window.setTimeout(check, 5000);
      });
  }

  window.setTimeout(check, 2000);
})();
