// The agenda's map: a marker per located event (the list beside it is the page's own,
// whole without this script or without tiles). Leaflet and its marker clustering are static
// files of this site: markers close together (a campaign's events in one town, several in one
// venue) are grouped under their count, which opens on a click. A selection too large for a
// marker per event shows a marker per department instead: its count, a link to its own map.
(function () {
  "use strict";

  function departmentMarker(department) {
    var link = document.createElement("a");
    link.href = department.url;
    link.title = department.title;
    link.setAttribute("aria-label", department.title);
    link.textContent = department.count;
    var icon = L.divIcon({ className: "department-marker", html: link, iconSize: [44, 44] });
    // The link inside takes the focus and the click: the marker itself is not a second stop.
    return L.marker([department.lat, department.lon], { icon: icon, keyboard: false })
      .bindTooltip(department.label, { direction: "top", offset: [0, -22] });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("carte");
    var data = document.getElementById("evenements-carte");
    var departments = document.getElementById("departements-carte");
    if (!element || !(data || departments) || !window.L || !L.markerClusterGroup) {
      return;
    }
    // The icons by their plain names: Leaflet cannot guess their folder from hashed CSS URLs.
    L.Icon.Default.imagePath = element.dataset.icons;
    var map = L.map(element, { scrollWheelZoom: false });
    L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
    var points = [];
    if (departments) {
      JSON.parse(departments.textContent).forEach(function (department) {
        departmentMarker(department).addTo(map);
        points.push([department.lat, department.lon]);
      });
      if (points.length) {
        map.fitBounds(points, { padding: [40, 40], maxZoom: 9 });
      } else {
        map.setView([46.6, 2.4], 5);
      }
      return;
    }
    var events = JSON.parse(data.textContent);
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
