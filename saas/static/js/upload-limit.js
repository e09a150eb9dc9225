// Names a file over the upload limit as soon as it is chosen and keeps the form from being sent,
// so nobody waits for a large upload on a slow network only to have it refused. Without
// JavaScript the server refuses the file after the upload and shows the same form again.
(function () {
  "use strict";
  if (window.guyubUploadLimit) { return; }  // the script tag comes with every file field
  window.guyubUploadLimit = true;
  var tooLarge = function (input) {
    var most = Number(input.dataset.maxBytes);
    return Array.prototype.some.call(input.files || [], function (file) { return file.size > most; });
  };
  var check = function (input) {
    input.setCustomValidity(tooLarge(input) ? input.dataset.tooLarge : "");
    return input.checkValidity();
  };
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (!check(input)) { input.reportValidity(); }
    });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check(input)) {  // the forms are novalidate: the browser would send it anyway
          event.preventDefault();
          input.reportValidity();
        }
      });
    }
  });
}());
