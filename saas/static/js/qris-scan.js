// "Take a photo of the printed code": reads the QR code in the photo with the browser's own
// BarcodeDetector and fills the payload field. Without it (or without JavaScript) the text is
// pasted by hand; nothing else depends on this script.
(function () {
  "use strict";
  var box = document.querySelector("[data-qris-scan]");
  if (!box || !("BarcodeDetector" in window)) { return; }
  var input = box.querySelector("input[type=file]");
  var status = box.querySelector("[data-qris-scan-status]");
  var target = document.getElementById("payload");
  var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  box.hidden = false;
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) { return; }
    status.textContent = "";
    createImageBitmap(file).then(function (image) {
      return detector.detect(image);
    }).then(function (codes) {
      if (!codes.length) { throw new Error("none"); }
      target.value = codes[0].rawValue;
      target.focus();
    }).catch(function () {
      status.textContent = input.dataset.unreadable;
    });
  });
}());
