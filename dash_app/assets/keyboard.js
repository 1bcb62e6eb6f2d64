/* Campus Helpdesk: the ticket grid's rows open with a click or with Enter. */
(function () {
    // Go to a page of the app without reloading it, as the app's own links do.
    function navigate(href) {
        window.history.pushState({}, '', href);
        window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
        window.scrollTo(0, 0);
    }
    window.helpdeskNavigate = navigate;

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        grid: {
            // A click on a row opens its ticket (the number column is a link of its own).
            openClickedTicket: function (cell) {
                if (cell && cell.colId !== 'id' && /^\d+$/.test(String(cell.rowId))) {
                    navigate('/tickets/' + cell.rowId);
                }
                return window.dash_clientside.no_update;
            },
        },
    });

    document.addEventListener('keydown', function (event) {
        if (event.key !== 'Enter' || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
        var cell = event.target && event.target.closest && event.target.closest('.tickets-grid .ag-cell');
        if (!cell) { return; }
        var row = cell.closest('.ag-row');
        var id = row && row.getAttribute('row-id');
        if (!id || !/^\d+$/.test(id)) { return; }
        event.preventDefault();
        navigate('/tickets/' + id);
    }, true);
})();
