// The card step of a Stripe payment or card update. Stripe.js (loaded before this file) takes
// the card, so Kasa never sees it. The form's data attributes say what to do:
//   data-key           the publishable key
//   data-client-secret the PaymentIntent's or SetupIntent's client secret
//   data-confirm       confirmCardPayment or confirmCardSetup
//   data-retry         "true" when another card may be tried on the same page
//   data-done          "go" (to data-done-url) or "save-card" (post the SetupIntent to Kasa)
const form = document.getElementById('stripe-card');
const stripe = Stripe(form.dataset.key);
const card = stripe.elements().create('card');
card.mount('#card-element');

function saveCard(setupIntent) {
  const saved = document.createElement('form');
  saved.method = 'post';
  saved.action = '/billing/card';
  const field = document.createElement('input');
  field.type = 'hidden';
  field.name = 'setup_intent';
  field.value = setupIntent.id;
  saved.appendChild(field);
  document.body.appendChild(saved);
  saved.submit();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const pay = document.getElementById('pay');
  const errors = document.getElementById('card-errors');
  pay.disabled = true;
  const confirm = form.dataset.confirm === 'confirmCardSetup' ? 'confirmCardSetup' : 'confirmCardPayment';
  const result = await stripe[confirm](form.dataset.clientSecret, { payment_method: { card } });
  if (result.error) {
    errors.textContent = result.error.message || '';
    errors.hidden = false;
    if (form.dataset.retry === 'true') {
      pay.disabled = false;
    } else {
      document.getElementById('back').hidden = false;
    }
  } else if (form.dataset.done === 'save-card') {
    saveCard(result.setupIntent);
  } else {
    window.location = form.dataset.doneUrl;
  }
});
