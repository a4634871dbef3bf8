// The Zendesk app's first page (integrations/zendesk): Kasa has checked Zendesk's signed token
// and given a short grant; this asks Zendesk's app framework who the ticket's requester is (or
// which user the user sidebar shows) and opens the panel for them with that grant.
(function () {
  'use strict';
  var root = document.getElementById('zendesk-app');
  var failed = document.getElementById('zendesk-app-failed');
  function fail() {
    if (failed) {
      failed.hidden = false;
    }
  }
  if (!root || typeof window.ZAFClient === 'undefined') {
    fail();
    return;
  }
  var client = window.ZAFClient.init();
  if (!client) {
    fail();
    return;
  }
  client.invoke('resize', { width: '100%', height: '560px' });
  client.context().then(function (context) {
    var person = context.location === 'user_sidebar' ? 'user' : 'ticket.requester';
    var keys = [person + '.email', person + '.id', 'currentUser.locale'];
    if (person !== 'user') {
      keys.push('ticket.id');
    }
    return client.get(keys).then(function (data) {
      var params = new URLSearchParams();
      params.set('grant', root.getAttribute('data-grant'));
      var email = data[person + '.email'];
      var id = data[person + '.id'];
      if (email) {
        params.set('email', email);
      } else if (id) {
        params.set('external_id', 'zendesk:' + id);
      } else {
        fail();
        return;
      }
      if (data['ticket.id']) {
        params.set('ticket', String(data['ticket.id']));
      }
      var locale = String(data['currentUser.locale'] || '');
      params.set('lang', locale.toLowerCase().indexOf('tr') === 0 ? 'tr' : 'en');
      window.location.replace(root.getAttribute('data-open') + '?' + params.toString());
    });
  }).catch(fail);
}());
