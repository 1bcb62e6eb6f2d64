/* Campus Helpdesk, ticket list: empty the grid's block cache so that it asks the store again. */
(function () {
    function reload() {
        if (window.dash_ag_grid) {
            window.dash_ag_grid.getApiAsync('tickets-grid').then(function (api) { api.purgeInfiniteCache(); });
        }
    }

    function filtersKey(status, category, query, review, role) {
        return JSON.stringify([status || '', category || '', query || '', !!review, role || 'user']);
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        tickets: {
            // The rows on show were loaded with the filters in *drawn*; reload when the controls differ.
            reloadWhenFiltersChange: function (status, category, query, review, session, drawn) {
                if (!drawn || !window.dash_ag_grid) { return window.dash_clientside.no_update; }
                var wanted = filtersKey(status, category, query, review, session && session.role);
                if (wanted !== filtersKey.apply(null, drawn)) { reload(); }
                return window.dash_clientside.no_update;
            },
            // While the last block failed, ask again on every tick of the retry timer.
            reloadWhileFailing: function (_n, failed) {
                if (failed) { reload(); }
                return window.dash_clientside.no_update;
            },
        },
    });
})();
