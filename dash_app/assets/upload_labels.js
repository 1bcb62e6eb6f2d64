// Give each photo upload's file input (dcc.Upload renders it without a label) its button's words as its
// accessible name, so a screen reader and axe know what it is for. Uploads appear with pages: watch for them.
(function () {
  function label(root) {
    root.querySelectorAll('input[type="file"]:not([aria-label])').forEach(function (input) {
      var box = input.parentElement, button = null;
      for (var up = 0; box && !button && up < 3; up += 1, box = box.parentElement) {
        button = box.querySelector('button');
      }
      input.setAttribute('aria-label', (button && button.textContent.trim()) || 'Choose a photo');
    });
  }
  function start() {
    label(document);
    new MutationObserver(function () { label(document); }).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
