// Progressive enhancement of the consultation form; it works without this script.
(function () {
  // Tell the clinic the patient's time zone.
  var zoneField = document.getElementById("id_time_zone");
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  if (zoneField && !zoneField.value) zoneField.value = zone;

  // Beside each free time (clinic time), the patient's own time where it differs.
  var language = document.documentElement.lang || "en";
  var shape = {weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
  var selects = document.querySelectorAll("select[data-your-time]");
  Array.prototype.forEach.call(selects, function (select) {
    var clinicZone = select.getAttribute("data-clinic-zone");
    if (!zone || zone === clinicZone) return;
    var yours = new Intl.DateTimeFormat(language, shape);
    var clinic = new Intl.DateTimeFormat(language, Object.assign({timeZone: clinicZone}, shape));
    var words = select.getAttribute("data-your-time");
    Array.prototype.forEach.call(select.querySelectorAll("option[data-start]"), function (option) {
      var start = new Date(option.getAttribute("data-start"));
      if (yours.format(start) !== clinic.format(start)) {
        option.textContent += " (" + yours.format(start) + " " + words + ")";
      }
    });
  });

  // Show the free times of the way of meeting chosen, or the preferred date without one.
  var modes = document.querySelectorAll("input[name='consultation_mode']");
  if (!modes.length) return;
  function show(id, visible) {
    var element = document.getElementById(id);
    if (element) element.hidden = !visible;
  }
  function update() {
    var chosen = document.querySelector("input[name='consultation_mode']:checked");
    var mode = chosen ? chosen.value : "";
    show("field-clinic_time", mode === "clinic");
    show("field-video_time", mode === "video");
    show("arrange-intro", mode === "");
    show("field-preferred_date", mode === "");
    show("field-preferred_time", mode === "");
  }
  Array.prototype.forEach.call(modes, function (input) {
    input.addEventListener("change", update);
  });
  update();
})();
