// Small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  // A file over the page's limit is refused here before it is sent (the server refuses it too).
  var file = form.querySelector("input[type=file][data-limit-bytes]");
  if (file && file.files.length && file.files[0].size > Number(file.dataset.limitBytes)) {
    event.preventDefault();
    file.setCustomValidity("This file is larger than the page accepts.");
    file.reportValidity();
    file.addEventListener("change", function () { file.setCustomValidity(""); }, { once: true });
    return;
  }
  // One press sends a form once: the button waits for the answer.
  if (form.method.toLowerCase() === "post") {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
    });
  }
});
// Coming back to a page (the back button) gives its buttons back.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("button[aria-busy=true]").forEach(function (button) {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  });
});
