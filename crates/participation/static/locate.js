// "Use my location" on the participation forms (proposing, and being verified to vote): fills
// the latitude and longitude fields from the browser's geolocation. Every form works without
// it: without JavaScript, or in a browser without geolocation, the button stays hidden and the
// fields are typed in. The location is checked on the server either way.
// Served from /participation/static/locate.js, so the Content-Security-Policy (script-src
// 'self') holds.
(function () {
  'use strict';

  function enhance(block) {
    if (!('geolocation' in navigator)) {
      return;
    }
    var button = block.querySelector('button');
    var status = block.querySelector('.locate__status');
    var latitude = document.getElementById(block.getAttribute('data-latitude'));
    var longitude = document.getElementById(block.getAttribute('data-longitude'));
    if (!button || !status || !latitude || !longitude) {
      return;
    }
    var say = function (key, failed) {
      status.textContent = (block.getAttribute(key) || '')
        .replace('%latitude%', latitude.value)
        .replace('%longitude%', longitude.value);
      status.classList.toggle('error-message', failed);
    };
    block.hidden = false;
    button.addEventListener('click', function () {
      button.disabled = true;
      say('data-finding', false);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          latitude.value = position.coords.latitude.toFixed(5);
          longitude.value = position.coords.longitude.toFixed(5);
          button.disabled = false;
          say('data-found', false);
        },
        function (error) {
          button.disabled = false;
          // 1 is PERMISSION_DENIED: the person (or the browser's settings) said no.
          say(error && error.code === 1 ? 'data-denied' : 'data-failed', true);
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
      );
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-module="use-my-location"]'), enhance);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
