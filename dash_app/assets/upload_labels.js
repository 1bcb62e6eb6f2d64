// A photo upload's file input is hidden behind its button; it takes the button's words as its name,
// so a screen reader (and axe) knows what the control is for.
(function () {
    function nameUploads(root) {
        root.querySelectorAll('input[type="file"]:not([aria-label])').forEach(function (input) {
            var button = input.parentElement && input.parentElement.querySelector("button");
            input.setAttribute("aria-label", (button && button.textContent.trim()) || "Choose a photo");
        });
    }
    new MutationObserver(function () { nameUploads(document); })
        .observe(document.documentElement, {childList: true, subtree: true});
})();
