/* Campus Helpdesk: values typed into the page settle before the app acts on them, and a
 * remembered name fills the name fields.
 *
 * The inputs' own debounce reads the input element when its timer fires, which throws
 * once the page has moved on; here the value travels with the timer instead.
 */
(function () {
    var turns = {};

    function settle(key, delay) {
        return function (value) {
            var turn = (turns[key] || 0) + 1;
            turns[key] = turn;
            return new Promise(function (resolve) {
                window.setTimeout(function () {
                    resolve(turns[key] === turn ? value : window.dash_clientside.no_update);
                }, delay);
            });
        };
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        helpdesk: {
            settleSearch: settle('search', 400),
            settleAmount: settle('amount', 350),
            // Filled in the browser itself: a server round trip could land after the person
            // started typing and overwrite what they typed.
            prefillName: function (session, typed) {
                if (typed || !session || !session.name) { return window.dash_clientside.no_update; }
                return session.name;
            },
        },
    });
})();
