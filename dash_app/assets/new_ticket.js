/* Campus Helpdesk, new ticket: the category preview is asked for once typing pauses. */
(function () {
    // Quiet time after the last keystroke before the category preview is asked for.
    var PREVIEW_PAUSE_MS = 450;
    var timer = null;

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        newTicket: {
            previewAfterPause: function (description, title) {
                window.clearTimeout(timer);
                var text = [title || '', description || ''].filter(function (part) { return part.trim(); }).join('\n');
                timer = window.setTimeout(function () {
                    window.dash_clientside.set_props('new-preview-text', {data: text});
                }, PREVIEW_PAUSE_MS);
                return window.dash_clientside.no_update;
            },
        },
    });
})();
