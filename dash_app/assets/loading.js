/* Campus Helpdesk: "Loading tickets…" shows until the list's first rows (or why there are none) arrived. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    loading: {
        hideWhenDrawn: function (drawn) {
            return drawn ? {display: 'none'} : window.dash_clientside.no_update;
        },
    },
});
