// The agenda's map: a marker per located event (the list beside it is the page's own,
// whole without this script or without tiles). Leaflet and its marker clustering are static
// files of this site: markers close together (a campaign's events in one town, several in one
// venue) are grouped under their count, which opens on a click.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("carte");
    var data = document.getElementById("evenements-carte");
    if (!element || !data || !window.L || !L.markerClusterGroup) {
      return;
    }
    var events = JSON.parse(data.textContent);
    // The icons by their plain names: Leaflet cannot guess their folder from hashed CSS URLs.
    L.Icon.Default.imagePath = element.dataset.icons;
    var map = L.map(element, { scrollWheelZoom: false });
    L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
    var points = [];
    var markers = L.markerClusterGroup({ showCoverageOnHover: false });
    events.forEach(function (event) {
      var marker = L.marker([event.lat, event.lon], { title: event.title, alt: event.title });
      markers.addLayer(marker);
      var popup = document.createElement("div");
      var link = document.createElement("a");
      link.href = event.url;
      link.textContent = event.title;
      var details = document.createElement("p");
      details.textContent = event.when + (event.place ? " · " + event.place : "");
      popup.appendChild(link);
      popup.appendChild(details);
      marker.bindPopup(popup);
      points.push([event.lat, event.lon]);
    });
    markers.addTo(map);
    if (points.length) {
      map.fitBounds(points, { padding: [30, 30], maxZoom: 14 });
    } else {
      map.setView([46.6, 2.4], 5);
    }
  });
})();
