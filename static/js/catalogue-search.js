// One request per search on the program list (templates/programs/program_list.html).
// Enter in the search field fires "change" and then "submit" with the same values; the form
// triggers on both, so the second, identical request is cancelled here. Requests with other
// values go ahead (htmx queues the last one behind a running request).
(function () {
  "use strict";
  var last = { key: null, at: 0 };
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "catalogue-form") {
      return;
    }
    var key = new URLSearchParams(event.detail.formData || event.detail.parameters).toString();
    var now = Date.now();
    if (key === last.key && now - last.at < 2000) {
      event.preventDefault();
      return;
    }
    last = { key: key, at: now };
  });
})();
