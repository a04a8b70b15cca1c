/*
 * Initialise GOV.UK Frontend without any inline script, so the site can run
 * under a Content Security Policy of `script-src 'self'`.
 *
 * Load AFTER the GOV.UK Frontend UMD bundle, both with `defer`, in <head>:
 *
 *   <script defer src="{% static 'govuk/govuk-frontend.bundle.js' %}"></script>
 *   <script defer src="{% static 'js/govuk-init.js' %}"></script>
 *
 * Deferred scripts run in document order once the HTML has been parsed, so
 * document.body exists and window.GOVUKFrontend is already defined here.
 *
 * This replaces the inline snippet from the GOV.UK Frontend page template:
 *   document.body.className += ' js-enabled' + ('noModule' in
 *     HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
 * followed by a call to initAll().
 *
 * On pages with no GOV.UK Frontend components, initAll() finds no
 * [data-module] elements and does nothing.
 */
(function () {
  'use strict';

  var body = document.body;
  if (!body) {
    return;
  }

  body.classList.add('js-enabled');

  // Same feature test that GOV.UK Frontend uses: browsers that support
  // <script type="module"> also support the JavaScript in the bundle.
  var supported = 'noModule' in HTMLScriptElement.prototype;
  var GOVUKFrontend = window.GOVUKFrontend;

  if (!supported || !GOVUKFrontend || typeof GOVUKFrontend.initAll !== 'function') {
    // Leave the page in its no-JavaScript state, which works on its own.
    return;
  }

  // initAll() checks for this class (isSupported()), and the CSS uses it to
  // switch components into their JavaScript-enhanced appearance.
  body.classList.add('govuk-frontend-supported');
  GOVUKFrontend.initAll();
})();
