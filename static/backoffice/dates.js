// The back office edits dates, not moments: Django's date widgets would add a note like
// "Sie sind 1 Stunde vor der Serverzeit" when the browser's time zone differs from the
// server's. The note makes sense only next to a time input; without one it is dropped
// (DateTimeShortcuts reads the offset from <body data-admin-utc-offset> on window load).
document.addEventListener("DOMContentLoaded", function () {
  if (!document.querySelector("input.vTimeField")) {
    delete document.body.dataset.adminUtcOffset;
  }
});
