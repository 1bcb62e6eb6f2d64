// Cell renderers for the ticket grid. Values are always rendered as text by React.
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

// The ticket number as a link that navigates inside the app without reloading it.
dagcomponentfuncs.TicketLink = function (props) {
    if (props.value === null || props.value === undefined) {
        return null;
    }
    var href = '/tickets/' + encodeURIComponent(props.value);
    return React.createElement(
        'a',
        {
            href: href,
            className: 'ticket-link',
            onClick: function (event) {
                if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) {
                    return;
                }
                event.preventDefault();
                window.history.pushState({}, '', href);
                window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
                window.scrollTo(0, 0);
            },
        },
        '#' + props.value
    );
};
