/* Campus Helpdesk, staff pieces of the ticket list: ask the store again when the staff filters change
   or a bulk change was applied (and forget the selection, whose tickets may no longer match). */
(function () {
    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        staff: {
            reloadTickets: function () {
                if (window.dash_ag_grid) {
                    window.dash_ag_grid.getApiAsync('tickets-grid').then(function (api) {
                        api.deselectAll();
                        api.purgeInfiniteCache();
                    });
                }
                return window.dash_clientside.no_update;
            },
        },
    });
})();
