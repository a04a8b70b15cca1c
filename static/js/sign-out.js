/*
 * Signing out clears the answers this browser kept because they could not be saved (see
 * autosave.js), so the next person at a shared computer finds none of them. A question page
 * with unsaved text asks first (autosave.js cancels the sign-out, and this does nothing).
 */
(function () {
  'use strict';

  window.addEventListener('submit', function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute('data-sign-out')) {
      return;
    }
    Object.keys(window.localStorage).forEach(function (key) {
      if (key.indexOf('maturity-autosave:') === 0) {
        window.localStorage.removeItem(key);
      }
    });
  });
})();
