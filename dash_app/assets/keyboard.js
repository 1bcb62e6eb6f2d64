/* Campus Helpdesk: the ticket grid's rows open with Enter, as they open with a click. */
(function () {
    document.addEventListener('keydown', function (event) {
        if (event.key !== 'Enter' || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
        var cell = event.target && event.target.closest && event.target.closest('.tickets-grid .ag-cell');
        if (!cell) { return; }
        var row = cell.closest('.ag-row');
        var id = row && row.getAttribute('row-id');
        if (!id || !/^\d+$/.test(id)) { return; }
        event.preventDefault();
        var href = '/tickets/' + id;
        window.history.pushState({}, '', href);
        window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
        window.scrollTo(0, 0);
    }, true);
})();
