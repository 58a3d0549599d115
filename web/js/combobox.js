// pasip — commune suggestions for the finder: the ARIA 1.2 "combobox with list autocomplete"
// pattern (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/). Progressive enhancement only:
// without this script the field is a plain text input and the server reads the commune name
// or postcode typed in full.
//
// <div class="combobox" data-suggestions="/annuaire/communes">
//   <label for="f-commune">…</label> <input id="f-commune" name="commune" type="text">
//   <input type="hidden" name="code" data-combobox-code>
// </div>
// The suggestions come from GET <data-suggestions>?q=… as a server-rendered list of
// <li data-code data-label data-name data-detail>; options are built with textContent only.
// Keys: ↓/↑ move through the options (opening the list), Entrée chooses, Échap closes, Tab
// leaves. Choosing writes the label in the field and the INSEE code in the hidden input.
(function () {
  'use strict';

  var DELAY_MS = 200;

  function setup(container) {
    var input = container.querySelector('input:not([type=hidden])');
    var code = container.querySelector('[data-combobox-code]');
    var url = container.getAttribute('data-suggestions');
    if (!input || !url || !window.fetch || !window.DOMParser) return;

    var listId = input.id + '-propositions';
    var list = document.createElement('ul');
    list.id = listId;
    list.className = 'combobox-list';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Communes proposées');
    list.hidden = true;
    var status = document.createElement('div');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    input.insertAdjacentElement('afterend', list);
    list.insertAdjacentElement('afterend', status);

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', listId);

    var options = [];
    var active = -1;
    var timer = null;
    var lastQuery = null;
    var controller = null;

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      highlight(-1);
    }

    function open() {
      if (options.length === 0) return;
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute('aria-selected', i === index ? 'true' : 'false');
        li.classList.toggle('active', i === index);
      });
      if (index >= 0 && list.children[index]) {
        input.setAttribute('aria-activedescendant', list.children[index].id);
        if (list.children[index].scrollIntoView) {
          list.children[index].scrollIntoView({block: 'nearest'});
        }
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }

    function choose(index) {
      var option = options[index];
      if (!option) return;
      input.value = option.label;
      lastQuery = option.label;
      if (code) code.value = option.code;
      close();
      status.textContent = option.name + ' choisie.';
    }

    function render(items) {
      list.textContent = '';
      options = items;
      items.forEach(function (item, i) {
        var li = document.createElement('li');
        li.id = listId + '-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        var name = document.createElement('span');
        name.className = 'combobox-name';
        name.textContent = item.name;
        var detail = document.createElement('span');
        detail.className = 'combobox-detail';
        detail.textContent = item.detail;
        li.appendChild(name);
        li.appendChild(document.createTextNode(' '));
        li.appendChild(detail);
        // Keep the focus in the field when an option is clicked or touched.
        li.addEventListener('mousedown', function (event) { event.preventDefault(); });
        li.addEventListener('click', function () {
          choose(i);
          input.focus();
        });
        list.appendChild(li);
      });
      active = -1;
      if (items.length === 0) {
        status.textContent = 'Aucune commune proposée.';
        close();
      } else {
        status.textContent = (items.length === 1 ? '1 commune proposée' : items.length + ' communes proposées') +
            ' : utilisez les flèches haut et bas, puis Entrée pour choisir.';
        open();
      }
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query === lastQuery) {
        open();
        return;
      }
      lastQuery = query;
      if (query.length < 2) {
        options = [];
        list.textContent = '';
        status.textContent = '';
        close();
        return;
      }
      if (controller) controller.abort();
      controller = window.AbortController ? new window.AbortController() : null;
      window.fetch(url + '?q=' + encodeURIComponent(query), {
        credentials: 'same-origin',
        headers: {'Accept': 'text/html'},
        signal: controller ? controller.signal : undefined,
      }).then(function (response) {
        return response.ok ? response.text() : '';
      }).then(function (html) {
        if (query !== input.value.trim()) return;
        var doc = new window.DOMParser().parseFromString(html, 'text/html');
        var items = Array.prototype.map.call(doc.querySelectorAll('li[data-code]'), function (li) {
          return {
            code: li.getAttribute('data-code'),
            label: li.getAttribute('data-label'),
            name: li.getAttribute('data-name'),
            detail: li.getAttribute('data-detail'),
          };
        });
        render(items);
      }).catch(function () { /* aborted or offline: the field still works as plain text */ });
    }

    input.addEventListener('input', function () {
      if (code) code.value = '';
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener('keydown', function (event) {
      switch (event.key) {
        case 'ArrowDown':
          event.preventDefault();
          if (list.hidden) {
            if (options.length > 0 && lastQuery === input.value.trim()) {
              open();
            } else {
              fetchSuggestions();
            }
          } else {
            highlight(active + 1 < options.length ? active + 1 : 0);
          }
          break;
        case 'ArrowUp':
          if (!list.hidden) {
            event.preventDefault();
            highlight(active > 0 ? active - 1 : options.length - 1);
          }
          break;
        case 'Enter':
          if (!list.hidden && active >= 0) {
            event.preventDefault();
            choose(active);
          }
          break;
        case 'Escape':
          if (!list.hidden) {
            event.preventDefault();
            close();
          }
          break;
        case 'Tab':
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener('blur', function () {
      window.setTimeout(close, 150);
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('.combobox[data-suggestions]'), setup);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
