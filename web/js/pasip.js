// pasip — small progressive enhancements. Every page works without this file; it only adds
// comfort. Loaded with `defer` after vendor/htmx.min.js; no inline script anywhere (the
// Content-Security-Policy forbids 'unsafe-inline').
//
// - <form data-confirm="Question ?"> or <button data-confirm="…">: asks before submitting.
// - <meta name="csrf-token" content="…">: sent as the X-CSRF-Token header on htmx requests.
// - An element with [data-autofocus] (for example the error summary of a form) gets the focus
//   on load, so that screen-reader users hear the errors first.
// - <button data-copy="element-id" hidden>: shown, copies that element's text.
// - <button data-print hidden>: shown, opens the browser's print dialog.
(function () {
  'use strict';

  // htmx would inject an inline <style> for its indicators and could evaluate hx-on/js:
  // expressions; both are refused by the CSP. Its init runs on DOMContentLoaded, after this
  // deferred script, so the settings below take effect. The indicator styles are in pasip.css.
  if (window.htmx) {
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.allowEval = false;
    window.htmx.config.allowScriptTags = false;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : null;
  }

  document.addEventListener('htmx:configRequest', function (event) {
    var token = csrfToken();
    if (token) event.detail.headers['X-CSRF-Token'] = token;
  });

  // Confirmation before a destructive submit. The question is on the form or on the button
  // that submitted it.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute('data-confirm')) ||
        form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  });

  function init() {
    var target = document.querySelector('[data-autofocus]');
    if (target) {
      if (!target.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
        target.setAttribute('tabindex', '-1');
      }
      target.focus();
    }

    Array.prototype.forEach.call(document.querySelectorAll('button[data-print]'), function (button) {
      if (typeof window.print !== 'function') return;
      button.hidden = false;
      button.addEventListener('click', function () { window.print(); });
    });

    Array.prototype.forEach.call(document.querySelectorAll('button[data-copy]'), function (button) {
      var source = document.getElementById(button.getAttribute('data-copy'));
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener('click', function () {
        var label = button.textContent;
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = 'Copié';
          window.setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
