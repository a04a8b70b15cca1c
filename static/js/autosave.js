/*
 * Autosave for answer forms (progressive enhancement: the form works without this).
 *
 * A form with data-autosave-url posts its fields there, debounced, whenever they change.
 * - 200: the new version goes into the hidden "version" field; the page says "Saved at 14:05".
 * - 409: someone saved a newer version. The page shows theirs next to this person's, who can
 *   keep theirs (save again on top of the newer version) or take the newer one (reload).
 * - Signed out (the request is redirected to the sign-in page) or offline: what was typed is
 *   kept in this browser and put back the next time the page opens, so nothing is lost.
 */
(function () {
  'use strict';

  var DELAY = 800;

  function storageKey(form) {
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

  function removeConflict(form) {
    var old = form.querySelector('.app-autosave-conflict');
    if (old) {
      old.parentNode.removeChild(old);
    }
  }

  function showConflict(form, body, save) {
    removeConflict(form);
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
      removeConflict(form);
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

  function init(form) {
    var url = form.getAttribute('data-autosave-url');
    var token = form.querySelector('[name="csrfmiddlewaretoken"]');
    var timer = null;
    var inFlight = false;
    var again = false;

    var kept = window.localStorage.getItem(storageKey(form));
    if (kept) {
      try {
        restore(form, JSON.parse(kept));
        setStatus(form, 'We put back what you typed before you were signed out. Saving it now\u2026');
        window.setTimeout(save, 0);
      } catch (e) {
        window.localStorage.removeItem(storageKey(form));
      }
    }

    function keepLocally() {
      window.localStorage.setItem(storageKey(form), JSON.stringify(snapshot(form)));
    }

    function save() {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      setStatus(form, 'Saving\u2026');
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
          keepLocally();
          setStatus(form, 'You have been signed out, so this was not saved. What you typed is kept ' +
            'in this browser: sign in again and come back to this page to save it.');
          return null;
        }
        return response.json().then(function (data) {
          if (response.status === 200) {
            form.querySelector('[name="version"]').value = data.version;
            window.localStorage.removeItem(storageKey(form));
            setStatus(form, 'Saved at ' + data.saved_at);
          } else if (response.status === 409) {
            keepLocally();
            setStatus(form, 'Not saved: this answer was changed elsewhere.');
            showConflict(form, data, save);
          } else if (response.status === 400) {
            setStatus(form, 'Not saved yet: ' + Object.values(data.errors || {}).join(' '));
          } else {
            setStatus(form, data.message || 'Not saved.');
          }
        });
      }).catch(function () {
        keepLocally();
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
      keepLocally();
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY);
    }

    form.addEventListener('input', schedule);
    form.addEventListener('change', schedule);
    form.addEventListener('submit', function () {
      window.clearTimeout(timer);
      window.localStorage.removeItem(storageKey(form));
    });
  }

  document.querySelectorAll('form[data-autosave-url]').forEach(init);
})();
