// The app's server function (Freshworks server method invocation): signs a Kasa panel URL for
// the ticket's requester with the integration's secret, a secure installation parameter that
// is read only here, never in the agent's browser.
var panelUrl = require('./lib/panel_url').panelUrl;

exports = {
  panelUrl: function (args) {
    try {
      renderData(null, { url: panelUrl(args.iparams, args, Math.floor(Date.now() / 1000)) });
    } catch (error) {
      renderData({ status: 400, message: String(error.message) });
    }
  }
};
