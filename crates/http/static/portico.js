// Portico's only script: small enhancements. Every page works without it.
// Served from /static/portico.js so the Content-Security-Policy (script-src 'self') holds.
(function () {
  'use strict';

  // After a failed post, move focus to the error summary so screen readers announce it and
  // keyboard users start from the list of problems (GOV.UK Design System's error summary).
  // (The examples on /design are left alone.) Conditional questions need no script: the CSS
  // shows them while their option is chosen.
  function focusErrorSummary() {
    var summary = document.querySelector('.error-summary');
    if (summary && !summary.closest('.design-example')) {
      if (!summary.hasAttribute('tabindex')) {
        summary.setAttribute('tabindex', '-1');
      }
      summary.focus();
    }
  }

  // Character count: "You have {n} characters remaining", updated as the person types.
  function characterCounts() {
    var groups = document.querySelectorAll('[data-module="character-count"]');
    Array.prototype.forEach.call(groups, function (group) {
      var max = parseInt(group.getAttribute('data-maxlength'), 10);
      var field = group.querySelector('textarea, input');
      var message = group.querySelector('.character-count__message');
      if (!field || !message || !(max > 0)) {
        return;
      }
      var update = function () {
        var left = max - field.value.length;
        var over = left < 0;
        var text = group.getAttribute(over ? 'data-over' : 'data-remaining') || '';
        message.textContent = text.replace('{n}', String(Math.abs(left)));
        message.classList.toggle('character-count__message--over', over);
        field.classList.toggle('input--error', over);
      };
      field.addEventListener('input', update);
      update();
    });
  }

  function init() {
    focusErrorSummary();
    characterCounts();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
