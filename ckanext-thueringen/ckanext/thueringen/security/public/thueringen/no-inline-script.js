// ckanext-scheming 3.1.0's multiple_text form field adds an input through
// href="javascript:MultipleText.multiple_add('<field>')", a javascript: link
// that the portal's Content-Security-Policy does not run. This listener does
// the same from a script file and stops the link. Remove it once scheming
// binds the link in its JavaScript module.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest('a[href^="javascript:MultipleText.multiple_add("]');
  if (!link) {
    return;
  }
  event.preventDefault();
  var field = /multiple_add\('([^']*)'\)/.exec(link.getAttribute("href"));
  if (field && window.MultipleText) {
    window.MultipleText.multiple_add(field[1]);
  }
});
