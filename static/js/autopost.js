// The SAML HTTP-POST binding: submit the form that carries the response as soon as the page
// loads; without JavaScript its button does the same.
var form = document.querySelector("form[data-autosubmit]");
if (form) { form.submit(); }
