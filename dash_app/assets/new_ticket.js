/* Campus Helpdesk, new ticket: the category preview is asked for once typing pauses. */
(function () {
    // Quiet time after the last keystroke before the category preview is asked for.
    var PREVIEW_PAUSE_MS = 450;
    var turn = 0;

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        newTicket: {
            // The text travels with the timer and is handed back as this callback's answer, so a
            // pause that ends after the page moved on (a quick Submit) writes nothing anywhere.
            previewAfterPause: function (description, title) {
                var mine = ++turn;
                var text = [title || '', description || ''].filter(function (part) { return part.trim(); }).join('\n');
                return new Promise(function (resolve) {
                    window.setTimeout(function () {
                        var still = mine === turn && window.location.pathname === '/tickets/new';
                        resolve(still ? text : window.dash_clientside.no_update);
                    }, PREVIEW_PAUSE_MS);
                });
            },
            // Pressing Submit ends any pause still running.
            forgetPause: function () {
                turn += 1;
                return window.dash_clientside.no_update;
            },
        },
    });
})();
