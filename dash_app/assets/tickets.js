/* Campus Helpdesk, ticket list: empty the grid's block cache so that it asks the store again. */
(function () {
    function reload() {
        if (window.dash_ag_grid) {
            window.dash_ag_grid.getApiAsync('tickets-grid').then(function (api) { api.purgeInfiniteCache(); });
        }
    }

    function filtersKey(status, category, query, review, role, language) {
        return JSON.stringify([status || '', category || '', query || '', !!review, role || 'user',
                               language && language !== 'all' ? language : '']);
    }

    // The address for the list's state; defaults are left out, so a plain list is plain /tickets.
    function listAddress(status, category, query, review, sortModel, language, staff) {
        var params = new URLSearchParams();
        if (status && status !== 'all') { params.set('status', status); }
        if (category && category !== 'all') { params.set('category', category); }
        if (query && query.trim()) { params.set('q', query.trim()); }
        if (review) { params.set('review', '1'); }
        if (language && language !== 'all') { params.set('language', language); }
        staff = staff || {};
        if (staff.sla && staff.sla !== 'all') { params.set('sla', staff.sla); }
        if (staff.queue === 'unassigned') { params.set('assignee', 'none'); }
        if (staff.queue === 'mine') { params.set('queue', 'mine'); }
        if (staff.priority && staff.priority !== 'all') { params.set('priority', staff.priority); }
        var sorted = (sortModel || []).filter(function (entry) { return entry.sort === 'asc' || entry.sort === 'desc'; })[0];
        var sort = sorted ? (sorted.sort === 'desc' ? '-' : '') + sorted.colId : '-id';
        if (sort !== '-id') { params.set('sort', sort); }
        var text = params.toString();
        return '/tickets' + (text ? '?' + text : '');
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        tickets: {
            // Keep the list's filters, search and sort in the address (replaced, so Back leaves the list).
            keepStateInAddress: function (status, category, query, review, request, language, sla, queue, priority) {
                if (window.location.pathname !== '/tickets') { return window.dash_clientside.no_update; }
                // The grid's last request holds its sort; before its first, the address does.
                var sortModel = request ? (request.sortModel || []) : null;
                if (sortModel === null) {
                    var current = new URLSearchParams(window.location.search).get('sort');
                    sortModel = current ? [{colId: current.replace(/^-/, ''), sort: current.charAt(0) === '-' ? 'desc' : 'asc'}] : [];
                }
                var address = listAddress(status, category, query, review, sortModel, language,
                                          {sla: sla, queue: queue, priority: priority});
                if (address !== window.location.pathname + window.location.search) {
                    window.history.replaceState(window.history.state, '', address);
                }
                return address;
            },
            // The rows on show were loaded with the filters in *drawn*; reload when the controls differ.
            reloadWhenFiltersChange: function (status, category, query, review, session, drawn, language) {
                if (!drawn || !window.dash_ag_grid) { return window.dash_clientside.no_update; }
                var wanted = filtersKey(status, category, query, review, session && session.role, language);
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
