/* Campus Helpdesk: half-written tickets and messages are kept in this browser until they are sent. */
(function () {
    var NEW_TICKET = 'new-draft';
    var MESSAGES = 'ticket-message-drafts';

    function read(key) {
        try {
            var value = JSON.parse(window.localStorage.getItem(key));
            return value && typeof value === 'object' ? value : {};
        } catch (error) {
            return {};
        }
    }

    function written(text) {
        return typeof text === 'string' && text.trim() !== '';
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        drafts: {
            // The browser's storage is read directly: the page's store may not have loaded it yet.
            restoreNewTicket: function () {
                var draft = read(NEW_TICKET);
                var no = window.dash_clientside.no_update;
                return ['description', 'title', 'location'].map(function (name) {
                    return written(draft[name]) ? draft[name] : no;
                });
            },
            saveNewTicket: function (description, title, location) {
                var draft = {};
                var values = {description: description, title: title, location: location};
                Object.keys(values).forEach(function (name) {
                    if (written(values[name])) { draft[name] = values[name]; }
                });
                return draft;
            },
            restoreMessage: function (ticketId) {
                var text = read(MESSAGES)[String(ticketId)];
                return written(text) ? text : window.dash_clientside.no_update;
            },
            // A sent message empties the box, and an empty box keeps no draft.
            saveMessage: function (body, ticketId) {
                var drafts = read(MESSAGES);
                if (written(body)) { drafts[String(ticketId)] = body; } else { delete drafts[String(ticketId)]; }
                return drafts;
            },
        },
    });
})();
