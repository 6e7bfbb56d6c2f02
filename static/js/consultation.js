// Progressive enhancement: tell the clinic the patient's time zone. The form works without it.
(function () {
  var field = document.getElementById("id_time_zone");
  if (!field || field.value) return;
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    field.value = "";
  }
})();
