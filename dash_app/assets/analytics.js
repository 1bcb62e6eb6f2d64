/* Campus Helpdesk, analytics: only helpdesk staff see the page. */
(function () {
    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        analytics: {
            // Keep the analysis and its period in the address; only what differs from the default is written.
            keepChoiceInAddress: function (view, last, unit, months, resolutionUnit) {
                if (window.location.pathname !== '/analytics') { return window.dash_clientside.no_update; }
                var params = new URLSearchParams();
                if (view && view !== 'open') { params.set('view', view); }
                if (view === 'open' || !view) {
                    if (last !== null && last !== undefined && String(last) !== '7') { params.set('last', String(last)); }
                    if (unit && unit !== 'days') { params.set('unit', unit); }
                }
                if (view === 'resolution') {
                    if (months && months !== '12') { params.set('months', months); }
                    if (resolutionUnit && resolutionUnit !== 'hours') { params.set('runit', resolutionUnit); }
                }
                var text = params.toString();
                var address = '/analytics' + (text ? '?' + text : '');
                if (address !== window.location.pathname + window.location.search) {
                    window.history.replaceState(window.history.state, '', address);
                }
                return address;
            },
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
