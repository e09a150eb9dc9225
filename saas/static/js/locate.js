// "Use my location": fills the map pin from the phone's GPS. Without JavaScript the two fields
// are typed in by hand; nothing else depends on this script.
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  if (!button || !("geolocation" in navigator)) { return; }
  var status = document.querySelector("[data-locate-status]");
  var say = function (text) { if (status) { status.textContent = text; } };
  button.hidden = false;
  button.addEventListener("click", function () {
    say(button.dataset.waiting);
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("latitude").value = position.coords.latitude.toFixed(6);
      document.getElementById("longitude").value = position.coords.longitude.toFixed(6);
      say(button.dataset.done);
    }, function () {
      say(button.dataset.failed);
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
}());
