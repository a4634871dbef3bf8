// Signs a Kasa panel URL (docs/panel.md) for a ticket's requester with the integration's
// secret. Pure, so scripts/integrations checks it against docs/panel.md's worked example.
'use strict';
var crypto = require('crypto');

// The most a signed URL may live, in seconds (docs/panel.md: at most 300).
var LIFETIME_SECONDS = 120;

function panelUrl(iparams, asked, nowSeconds) {
  var params = {
    integration: iparams.integration_id,
    expires: String(nowSeconds + LIFETIME_SECONDS)
  };
  if (asked.email) {
    params.email = asked.email;
  } else if (asked.requester_id) {
    params.external_id = 'freshdesk:' + asked.requester_id;
  } else {
    throw new Error('the ticket has no requester');
  }
  if (asked.ticket) {
    params.ticket = asked.ticket;
  }
  if (asked.lang === 'tr' || asked.lang === 'en') {
    params.lang = asked.lang;
  }
  var keys = Object.keys(params).sort();
  var canonical = keys.map(function (key) { return key + '=' + params[key]; }).join('\n');
  var signature = crypto.createHmac('sha256', iparams.panel_secret).update(canonical, 'utf8').digest('hex');
  var query = keys.map(function (key) {
    return key + '=' + encodeURIComponent(params[key]);
  }).join('&') + '&signature=' + signature;
  return iparams.kasa_url.replace(/\/+$/, '') + '/panel?' + query;
}

module.exports = { panelUrl: panelUrl, LIFETIME_SECONDS: LIFETIME_SECONDS };
