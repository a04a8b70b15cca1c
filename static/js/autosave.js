/*
 * Autosave for answer forms (progressive enhancement: the form works without this).
 *
 * A form with data-autosave-url posts its fields there, debounced, whenever they change.
 * - 200: the new version goes into the hidden "version" field; the page says "Saved at 14:05".
 *   If one field did not validate (a link that is not a web address), the rest is saved, that
 *   field keeps its stored value, and it is marked in the GOV.UK error style.
 * - 409: someone saved a newer version. The page shows theirs next to this person's, who can
 *   keep theirs (save again on top of the newer version) or take the newer one (reload).
 * - 403 "expired" (the form's security token is stale: the page was open too long, or the person
 *   signed in again in another tab): nothing was saved; the text is kept as below and the page
 *   says to reload. 403 "signed-out": as signed out, below.
 * - 400 "too-large" (the body is over the server's limit): nothing was saved; the page says to
 *   shorten what was pasted.
 * - Signed out (the request is redirected to the sign-in page) or offline: what was typed is
 *   kept in this browser, under a key naming the person and the page, and put back the next
 *   time that person opens the page, with a message that says why it was not saved.
 * Signing out with unsaved text on the page asks first; signing out clears the kept copies.
 */
(function () {
  'use strict';

  var DELAY = 800;
  var REASONS = {
    'signed-out': 'you had been signed out',
    'offline': 'the connection was lost',
    'conflict': 'this answer had been changed elsewhere',
    'expired': 'the page had expired',
    'pending': 'the page was closed before it was saved'
  };

  function storageKey(form) {
    // data-autosave-key names the person and the page, so nobody is given another's text.
    return 'maturity-autosave:' + form.getAttribute('data-autosave-key');
  }

  function snapshot(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== 'csrfmiddlewaretoken' && name !== 'then') {
        data[name] = value;
      }
    });
    return data;
  }

  function restore(form, data) {
    Object.keys(data).forEach(function (name) {
      var fields = form.querySelectorAll('[name="' + name + '"]');
      fields.forEach(function (field) {
        if (field.type === 'radio' || field.type === 'checkbox') {
          field.checked = field.value === data[name];
        } else {
          // The version too: if someone saved since, the save is refused and both are shown.
          field.value = data[name];
        }
      });
    });
  }

  function setStatus(form, text) {
    var status = form.querySelector('[data-autosave-status]');
    if (status) {
      status.textContent = text;
    }
  }

  function timeNow() {
    var now = new Date();
    return ('0' + now.getHours()).slice(-2) + ':' + ('0' + now.getMinutes()).slice(-2);
  }

  function removeAll(form, selector) {
    form.querySelectorAll(selector).forEach(function (node) {
      node.parentNode.removeChild(node);
    });
  }

  function fieldGroup(form, name) {
    var field = form.querySelector('[name="' + name + '"]');
    return field ? field.closest('.govuk-form-group') : null;
  }

  function fieldLabel(group, name) {
    var label = group && group.querySelector('legend, label');
    return label ? label.textContent.replace(/\s+/g, ' ').trim() : name;
  }

  function clearFieldErrors(form) {
    removeAll(form, '.app-autosave-error');
    form.querySelectorAll('[data-autosave-error]').forEach(function (group) {
      group.classList.remove('govuk-form-group--error');
      group.removeAttribute('data-autosave-error');
      group.querySelectorAll('.govuk-input--error, .govuk-textarea--error').forEach(function (el) {
        el.classList.remove('govuk-input--error', 'govuk-textarea--error');
      });
    });
  }

  // Mark each field the server refused, as GOV.UK marks an error: a red bar on the group and
  // the message above the field, linked to it for screen readers. Returns their labels.
  function markFieldErrors(form, errors) {
    var labels = [];
    Object.keys(errors).forEach(function (name) {
      var group = fieldGroup(form, name);
      labels.push(fieldLabel(group, name) + ': ' + errors[name].join(' '));
      if (!group) {
        return;
      }
      group.classList.add('govuk-form-group--error');
      group.setAttribute('data-autosave-error', '');
      var message = document.createElement('p');
      message.className = 'govuk-error-message app-autosave-error';
      message.id = 'autosave-error-' + name;
      var hidden = document.createElement('span');
      hidden.className = 'govuk-visually-hidden';
      hidden.textContent = 'Error: ';
      message.appendChild(hidden);
      message.appendChild(document.createTextNode(errors[name].join(' ')));
      var radios = group.querySelector('.govuk-radios');
      var field = group.querySelector('textarea, input:not([type="hidden"]), select');
      var before = radios || field;
      before.parentNode.insertBefore(message, before);
      if (field && !radios) {
        field.classList.add(field.tagName === 'TEXTAREA' ? 'govuk-textarea--error' : 'govuk-input--error');
        var described = (field.getAttribute('aria-describedby') || '').split(' ');
        if (described.indexOf(message.id) === -1) {
          field.setAttribute('aria-describedby', described.concat(message.id).join(' ').trim());
        }
      }
    });
    return labels;
  }

  function showConflict(form, body, save) {
    removeAll(form, '.app-autosave-conflict');
    var current = body.current || {};
    var box = document.createElement('div');
    box.className = 'govuk-error-summary app-autosave-conflict';
    box.setAttribute('tabindex', '-1');
    var inner = document.createElement('div');
    inner.setAttribute('role', 'alert');
    var title = document.createElement('h2');
    title.className = 'govuk-error-summary__title';
    title.textContent = 'This answer was changed after you opened it';
    var text = document.createElement('p');
    text.className = 'govuk-body';
    text.textContent = 'It was saved at ' + (current.saved_at || 'a moment ago') + ' as: ' +
      (current.answer || 'no answer') +
      (current.evidence ? ', with the evidence \u201c' + current.evidence.slice(0, 200) + '\u201d' : '') +
      '. Your version is below and has not been saved.';
    var keep = document.createElement('button');
    keep.type = 'button';
    keep.className = 'govuk-button govuk-!-margin-right-2';
    keep.textContent = 'Keep my answer';
    keep.addEventListener('click', function () {
      form.querySelector('[name="version"]').value = body.version;
      removeAll(form, '.app-autosave-conflict');
      save();
    });
    var take = document.createElement('button');
    take.type = 'button';
    take.className = 'govuk-button govuk-button--secondary';
    take.textContent = 'Use the saved answer';
    take.addEventListener('click', function () {
      window.localStorage.removeItem(storageKey(form));
      window.location.reload();
    });
    inner.appendChild(title);
    inner.appendChild(text);
    inner.appendChild(keep);
    inner.appendChild(take);
    box.appendChild(inner);
    form.insertBefore(box, form.firstChild);
    box.focus();
  }

  // Signing out with text on the page that is not saved: say so, and let the person choose.
  function warnBeforeSigningOut(form, signOut, save) {
    removeAll(form, '.app-sign-out-warning');
    var box = document.createElement('div');
    box.className = 'govuk-warning-text app-sign-out-warning';
    box.setAttribute('tabindex', '-1');
    box.setAttribute('role', 'alert');
    var icon = document.createElement('span');
    icon.className = 'govuk-warning-text__icon';
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = '!';
    var text = document.createElement('strong');
    text.className = 'govuk-warning-text__text';
    text.textContent = 'Your latest changes to this answer are not saved yet. If you sign out ' +
      'now, they will be lost.';
    var buttons = document.createElement('div');
    buttons.className = 'govuk-button-group app-sign-out-warning';
    var saveButton = document.createElement('button');
    saveButton.type = 'button';
    saveButton.className = 'govuk-button';
    saveButton.textContent = 'Save my changes';
    saveButton.addEventListener('click', function () {
      removeAll(form, '.app-sign-out-warning');
      save();
    });
    var leave = document.createElement('button');
    leave.type = 'button';
    leave.className = 'govuk-button govuk-button--warning';
    leave.textContent = 'Sign out without saving';
    leave.addEventListener('click', function () {
      window.localStorage.removeItem(storageKey(form));
      signOut.setAttribute('data-confirmed', '');
      signOut.requestSubmit();
    });
    box.appendChild(icon);
    box.appendChild(text);
    buttons.appendChild(saveButton);
    buttons.appendChild(leave);
    form.insertBefore(buttons, form.firstChild);
    form.insertBefore(box, form.firstChild);
    box.focus();
  }

  function init(form) {
    var url = form.getAttribute('data-autosave-url');
    var token = form.querySelector('[name="csrfmiddlewaretoken"]');
    var timer = null;
    var inFlight = false;
    var again = false;

    function signedOut() {
      keepLocally('signed-out');
      setStatus(form, 'You have been signed out, so this was not saved. What you typed is kept ' +
        'in this browser: sign in again and come back to this page to save it.');
    }

    function keepLocally(reason) {
      try {
        window.localStorage.setItem(storageKey(form), JSON.stringify({
          reason: reason, at: timeNow(), data: snapshot(form)
        }));
      } catch (e) {
        // Over this browser's storage quota: the text stays on the page, not kept beyond it.
      }
    }

    // Said until the put-back text is saved, and then with the time it was saved.
    var restored = '';
    var kept = window.localStorage.getItem(storageKey(form));
    if (kept) {
      try {
        var copy = JSON.parse(kept);
        restore(form, copy.data);
        restored = 'We put back what you typed on this page at ' + copy.at + ', which was not ' +
          'saved then because ' + (REASONS[copy.reason] || REASONS.pending) + '.';
        setStatus(form, restored + ' Saving it now\u2026');
        window.setTimeout(save, 0);
      } catch (e) {
        window.localStorage.removeItem(storageKey(form));
      }
    }

    function save() {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      window.clearTimeout(timer);
      setStatus(form, (restored ? restored + ' ' : '') + 'Saving\u2026');
      var body = new FormData(form);
      body.delete('then');
      fetch(url, {
        method: 'POST',
        body: body,
        credentials: 'same-origin',
        headers: {'X-CSRFToken': token ? token.value : '', 'Accept': 'application/json'},
        redirect: 'follow'
      }).then(function (response) {
        var json = (response.headers.get('Content-Type') || '').indexOf('application/json') === 0;
        if (!json) {
          // Redirected to sign in, or refused: keep the text in this browser.
          signedOut();
          return null;
        }
        return response.json().then(function (data) {
          if (response.status === 403 && data.error === 'signed-out') {
            signedOut();
          } else if (response.status === 200) {
            form.querySelector('[name="version"]').value = data.version;
            window.localStorage.removeItem(storageKey(form));
            clearFieldErrors(form);
            var refused = markFieldErrors(form, data.errors || {});
            setStatus(form, (restored ? restored + ' ' : '') + (refused.length
              ? 'Saved at ' + data.saved_at + ', except what needs correcting: ' + refused.join(' ')
              : 'Saved at ' + data.saved_at));
            restored = '';
          } else if (response.status === 409) {
            keepLocally('conflict');
            setStatus(form, 'Not saved: this answer was changed elsewhere.');
            showConflict(form, data, save);
          } else if (response.status === 403 && data.error === 'expired') {
            keepLocally('expired');
            setStatus(form, 'Your last change was not saved because this page had expired. What ' +
              'you typed is kept in this browser: reload the page (and sign in again if asked) ' +
              'to save it.');
          } else if (response.status === 400 && data.status === 'too-large') {
            setStatus(form, data.message);
          } else if (response.status === 400) {
            setStatus(form, 'Not saved yet: ' + Object.values(data.errors || {}).join(' '));
          } else {
            setStatus(form, data.message || 'Not saved.');
          }
        });
      }).catch(function () {
        keepLocally('offline');
        setStatus(form, 'Not saved: the connection was lost. What you typed is kept in this ' +
          'browser and will be saved when you come back to this page.');
      }).then(function () {
        inFlight = false;
        if (again) {
          again = false;
          save();
        }
      });
    }

    function schedule() {
      keepLocally('pending');
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY);
    }

    form.addEventListener('input', schedule);
    form.addEventListener('change', schedule);
    form.addEventListener('submit', function () {
      window.clearTimeout(timer);
      window.localStorage.removeItem(storageKey(form));
    });

    document.querySelectorAll('form[data-sign-out]').forEach(function (signOut) {
      signOut.addEventListener('submit', function (event) {
        var unsaved = window.localStorage.getItem(storageKey(form));
        if (unsaved && !signOut.hasAttribute('data-confirmed')) {
          event.preventDefault();
          warnBeforeSigningOut(form, signOut, save);
        }
      });
    });
  }

  document.querySelectorAll('form[data-autosave-url]').forEach(init);
})();
