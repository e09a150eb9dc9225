// Scanning a code with the phone's camera into a text field, for any page that asks for it:
//
//   <input name="code" data-scan="ean_13 ean_8 code_128 upc_a">   (BarcodeDetector formats)
//   <button type="button" hidden data-scan-button data-scan-close="…" data-scan-photo="…"
//           data-scan-looking="…" data-scan-unreadable="…" data-scan-no-camera="…">…</button>
//
// The button sits beside the field (in the field's box or next to it) and carries the page's
// translated words. Where the browser reads codes (BarcodeDetector) the button shows: with a
// live camera it opens the rear camera in a panel and reads frames until a code appears; without
// one it takes a photo and reads that. The code fills the field and its form is sent, as if it
// had been typed and Enter pressed. Without either, or without JavaScript, the button stays
// hidden and the code is typed.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window)) { return; }
  var hasCamera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);

  function buttonFor(input) {
    var scope = input.parentElement;
    for (var depth = 0; scope && depth < 3; depth += 1) {
      var found = scope.querySelector("[data-scan-button]");
      if (found) { return found; }
      if (scope === input.form) { break; }
      scope = scope.parentElement;
    }
    return null;
  }

  function detectorFor(input) {
    var wanted = (input.dataset.scan || "qr_code").split(/\s+/).filter(Boolean);
    function make(supported) {
      var usable = supported ? wanted.filter(function (f) { return supported.indexOf(f) >= 0; }) : wanted;
      return new window.BarcodeDetector({ formats: usable.length ? usable : wanted });
    }
    var ask = window.BarcodeDetector.getSupportedFormats;
    if (!ask) { return Promise.resolve(make(null)); }
    return ask.call(window.BarcodeDetector).then(make, function () { return make(null); });
  }

  function fill(input, value) {
    input.value = value;
    if (input.form) {
      if (input.form.requestSubmit) { input.form.requestSubmit(); } else { input.form.submit(); }
    }
  }

  function photoReader(input, button, status) {
    var file = document.createElement("input");
    file.type = "file";
    file.accept = "image/*";
    file.setAttribute("capture", "environment");
    file.hidden = true;
    file.setAttribute("data-scan-file", "");
    button.insertAdjacentElement("afterend", file);
    file.addEventListener("change", function () {
      var photo = file.files && file.files[0];
      if (!photo) { return; }
      status.textContent = "";
      Promise.all([detectorFor(input), createImageBitmap(photo)]).then(function (both) {
        return both[0].detect(both[1]);
      }).then(function (codes) {
        if (!codes.length) { throw new Error("none"); }
        fill(input, codes[0].rawValue);
      }).catch(function () {
        status.textContent = button.dataset.scanUnreadable || "";
      });
    });
    return file;
  }

  function livePanel(button) {
    var panel = document.createElement("dialog");
    panel.className = "scan-panel";
    var video = document.createElement("video");
    video.className = "scan-video";
    video.muted = true;
    video.setAttribute("playsinline", "");
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("role", "status");
    var photo = document.createElement("button");
    photo.type = "button";
    photo.className = "button secondary wide";
    photo.textContent = button.dataset.scanPhoto || "";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button secondary wide";
    close.textContent = button.dataset.scanClose || "";
    panel.append(video, status, photo, close);
    document.body.appendChild(panel);
    return { panel: panel, video: video, status: status, photo: photo, close: close };
  }

  function startLive(input, button, file) {
    var view = livePanel(button);
    var stream = null;
    var done = false;
    function stop() {
      done = true;
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      if (view.panel.open) { view.panel.close(); }
      view.panel.remove();
    }
    view.panel.addEventListener("close", stop);
    view.close.addEventListener("click", stop);
    view.photo.addEventListener("click", function () { stop(); file.click(); });
    view.status.textContent = button.dataset.scanLooking || "";
    view.panel.showModal();
    var constraints = { audio: false, video: { facingMode: { ideal: "environment" } } };
    Promise.all([detectorFor(input), navigator.mediaDevices.getUserMedia(constraints)])
      .then(function (both) {
        stream = both[1];
        if (done) { stop(); return; }
        view.video.srcObject = stream;
        return view.video.play().then(function () { look(both[0]); });
      })
      .catch(function () {
        view.status.textContent = button.dataset.scanNoCamera || "";
      });

    function look(detector) {
      if (done) { return; }
      detector.detect(view.video).then(function (codes) {
        if (done) { return; }
        if (codes.length && codes[0].rawValue) {
          stop();
          fill(input, codes[0].rawValue);
        } else {
          window.setTimeout(function () { look(detector); }, 150);
        }
      }).catch(function () {
        window.setTimeout(function () { look(detector); }, 300);
      });
    }
  }

  document.querySelectorAll("input[data-scan]").forEach(function (input) {
    var button = buttonFor(input);
    if (!button) { return; }
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("role", "status");
    button.insertAdjacentElement("afterend", status);
    var file = photoReader(input, button, status);
    button.hidden = false;
    button.addEventListener("click", function () {
      if (hasCamera) { startLive(input, button, file); } else { file.click(); }
    });
  });
}());
