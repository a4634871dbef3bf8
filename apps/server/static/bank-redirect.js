// Sends the customer on to the bank's 3-D Secure page at once; without JavaScript, the
// button of the same form does it.
document.getElementById('bank').submit();
