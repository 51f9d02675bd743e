// After a passkey was registered, continue where the page says (data-after-register on the
// registration section): the page then shows the new passkey and the recovery codes step.
// External file, no inline script: works under the strict Content Security Policy.
document.addEventListener("otp_webauthn.register_complete", () => {
  const section = document.querySelector("[data-after-register]");
  if (section) {
    window.location.assign(section.getAttribute("data-after-register"));
  }
});
