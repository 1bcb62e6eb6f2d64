/* Campus Helpdesk, analytics: only helpdesk staff see the page. */
(function () {
    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        analytics: {
            // The role is read from this browser's storage too, as the session may not have arrived yet.
            staffOnly: function (session, guard) {
                var stored = null;
                try { stored = JSON.parse(window.localStorage.getItem(guard.session_key)); } catch (error) { stored = null; }
                var role = (session && session.role) || (stored && stored.role);
                if (role === 'staff') {
                    return [{display: 'block'}, window.dash_clientside.no_update];
                }
                return [{display: 'none'}, guard.away];
            },
        },
    });
})();
