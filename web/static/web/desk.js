// The QR scanner of the desk and door pages (web/_code_form.html), loaded on those pages only,
// after vendor/jsQR.js.
// Progressive enhancement: without JavaScript, a camera or jsQR, the desk types
// the short code and the "Scanner le QR code" button stays hidden.
(function () {
  "use strict";

  var stream = null;
  var frame = null;

  function stop(video, scanner) {
    if (frame !== null) {
      cancelAnimationFrame(frame);
      frame = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    scanner.hidden = true;
  }

  function scan(video, canvas, onCode) {
    if (video.readyState === video.HAVE_ENOUGH_DATA && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) {
        onCode(found.data.trim());
        return;
      }
    }
    frame = requestAnimationFrame(function () { scan(video, canvas, onCode); });
  }

  function hasCamera() {
    if (!window.jsQR || !window.isSecureContext || !navigator.mediaDevices
        || !navigator.mediaDevices.getUserMedia) {
      return Promise.resolve(false);
    }
    if (!navigator.mediaDevices.enumerateDevices) {
      return Promise.resolve(true);
    }
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      return devices.some(function (device) { return device.kind === "videoinput"; });
    }, function () { return false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("desk-form");
    var start = document.getElementById("scan-start");
    if (!form || !start) {
      return;
    }
    var input = form.querySelector("input[name=code]");
    var scanner = document.getElementById("scanner");
    var video = document.getElementById("scan-video");
    var status = document.getElementById("scan-status");
    var canvas = document.createElement("canvas");

    hasCamera().then(function (available) { start.hidden = !available; });

    start.addEventListener("click", function () {
      status.textContent = "";
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          scanner.hidden = false;
          return video.play();
        })
        .then(function () {
          scan(video, canvas, function (code) {
            stop(video, scanner);
            input.value = code;
            if (form.requestSubmit) {
              form.requestSubmit();
            } else {
              form.submit();
            }
          });
        })
        .catch(function () {
          stop(video, scanner);
          status.textContent = start.dataset.error;
          input.focus();
        });
    });

    document.getElementById("scan-stop").addEventListener("click", function () {
      stop(video, scanner);
      input.focus();
    });
  });
})();
