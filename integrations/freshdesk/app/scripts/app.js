// Kasa's billing panel in Freshdesk's ticket sidebar: asks the app's server function for a
// panel URL signed for this ticket's requester (the integration's secret never reaches the
// browser) and shows it in a frame.
(function () {
  'use strict';
  var status = document.getElementById('status');
  var frame = document.getElementById('panel');

  function say(text) {
    status.textContent = text;
    status.hidden = false;
  }

  function open(client) {
    return Promise.all([client.data.get('ticket'), client.data.get('requester'), client.data.get('loggedInUser')])
      .then(function (found) {
        var ticket = found[0].ticket;
        var requester = found[1].requester;
        var user = found[2].loggedInUser || {};
        var language = String((user.contact && user.contact.language) || user.language || 'en');
        return client.request.invoke('panelUrl', {
          email: requester.email || '',
          requester_id: requester.id ? String(requester.id) : '',
          ticket: String(ticket.id),
          lang: language.toLowerCase().indexOf('tr') === 0 ? 'tr' : 'en'
        });
      })
      .then(function (answer) {
        frame.src = answer.response.url;
        frame.hidden = false;
        status.hidden = true;
      });
  }

  window.app.initialized().then(function (client) {
    client.events.on('app.activated', function () {
      open(client).catch(function () {
        say('Kasa could not be reached; reload the ticket. / Kasa\u2019ya ulaşılamadı; talebi yeniden yükleyin.');
      });
    });
  });
}());
