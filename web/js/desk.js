// pasip — keyboard shortcuts of the site desk's quick count (/accueil/{site}). The form works
// without this file; it only saves key presses: an anonymous walk-in is "1" then Enter.
//
// - An input of the form with data-raccourci="k": the key k toggles it (a checkbox) or
//   chooses it (a radio button), and moves the focus to it. Digits also work from the number
//   row of AZERTY keyboards (event.code "Digit1") and from the numeric keypad.
// - Enter submits the form.
// - Shift with a letter shortcut chooses that act or channel (never unticks it) and submits
//   at once: a phone call for motive 2 with "aide aux démarches" is "t", "2", Shift+"d".
//   Digits take no Shift variant: AZERTY keyboards type digits with Shift.
// Nothing fires while a text field, a list or a text area has the focus, with a modifier
// (Ctrl, Alt, Meta), or when the focus is in another form of the page.
(function () {
  'use strict';

  var form = document.querySelector('form[data-raccourcis]');
  if (!form) return;

  var byKey = {};
  Array.prototype.forEach.call(form.querySelectorAll('[data-raccourci]'), function (input) {
    byKey[input.getAttribute('data-raccourci').toLowerCase()] = input;
  });

  function isTyping(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
    if (tag !== 'INPUT') return false;
    return !/^(checkbox|radio|button|submit|reset)$/.test(element.type);
  }

  // The shortcuts belong to the quick count: the focus is in it, or nowhere in particular.
  function inScope(element) {
    if (!element || element === document.body || element === document.documentElement) return true;
    if (element.id === 'contenu') return true;
    return form.contains(element);
  }

  function keyOf(event) {
    var match = /^(?:Digit|Numpad)([1-9])$/.exec(event.code || '');
    if (match && byKey[match[1]]) return match[1];
    return (event.key || '').toLowerCase();
  }

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) {
      return;
    }
    var active = document.activeElement;
    if (isTyping(active) || !inScope(active)) return;
    if (event.key === 'Enter') {
      // Buttons, links and disclosure summaries keep their own Enter.
      if (active && /^(BUTTON|A|SUMMARY)$/.test(active.tagName)) return;
      event.preventDefault();
      if (typeof form.requestSubmit === 'function') {
        form.requestSubmit();
      } else {
        form.submit();
      }
      return;
    }
    var key = keyOf(event);
    var input = byKey[key];
    if (!input) return;
    event.preventDefault();
    var submitNow = event.shiftKey && /^[a-z]$/.test(key);
    if (input.type === 'radio' || submitNow) {
      input.checked = true;
    } else {
      input.checked = !input.checked;
    }
    input.dispatchEvent(new Event('change', {bubbles: true}));
    input.focus();
    if (submitNow) {
      if (typeof form.requestSubmit === 'function') {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }
  });
})();
